package dev.chatlayer.support;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A constant answer through the same HTTP server, REST layer, filters and request timer as every endpoint: the
 * framework's ceiling, against which the benchmark ({@code benchmarks/run.sh}) states each path's throughput and
 * latency as a ratio measured in the same run. Off unless {@code chat.bare-endpoint.enabled=true} (then 404 like
 * any unknown path); under {@code /internal/}, which the gateway never routes.
 */
@Path("/internal/bare")
public class BareEndpoint {

    private final boolean enabled;

    BareEndpoint(@ConfigProperty(name = "chat.bare-endpoint.enabled", defaultValue = "false") boolean enabled) {
        this.enabled = enabled;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String bare() {
        if (!enabled) {
            throw new NotFoundException();
        }
        return "ok";
    }

    /** The same constant behind a user's authentication, as every API call: the security chain's own cost. */
    @GET
    @Path("/user")
    @Authenticated
    @Produces(MediaType.TEXT_PLAIN)
    public String bareAsUser() {
        return bare();
    }
}
