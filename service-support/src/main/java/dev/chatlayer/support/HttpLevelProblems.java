package dev.chatlayer.support;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Client errors decided before any resource runs would otherwise be answered with an empty body; here they become
 * problem+json like every other error. A body over {@code quarkus.http.limits.max-body-size} is answered 413 after
 * it has been read and dropped (up to {@value #DRAIN_FACTOR}× the limit): answering while the client still sends,
 * then closing, would make the client see a reset instead of the answer. Larger bodies get the answer and a closed
 * connection at once. Failures carrying an exception go on to the resource layer's mappers. Requests the HTTP codec
 * refuses — a request line over 4 kB (414), headers over 8 kB (431) — never reach the router: the gateway in front
 * answers those.
 */
@ApplicationScoped
public class HttpLevelProblems {

    private static final int DRAIN_FACTOR = 16;

    private final long maxBody;

    HttpLevelProblems(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::refuseLargeBodies);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::statusOnly);
    }

    private void refuseLargeBodies(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            declared = -1;
        }
        if (declared <= maxBody) {
            context.next();
            return;
        }
        if (declared > maxBody * DRAIN_FACTOR) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close");
            problem(context, 413);
            return;
        }
        context.request().handler(ignored -> { });
        context.request().endHandler(ended -> problem(context, 413));
    }

    private void statusOnly(RoutingContext context) {
        int status = context.statusCode();
        if (context.failure() != null || context.response().headWritten() || status < 400 || status >= 500) {
            context.next();
            return;
        }
        problem(context, status);
    }

    private void problem(RoutingContext context, int status) {
        String title = HttpResponseStatus.valueOf(status).reasonPhrase();
        String detail = status == 413 ? "the body is larger than " + maxBody + " bytes" : title.toLowerCase();
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(Json.encode(new Problem("about:blank", title, status, detail, null, null)));
    }
}
