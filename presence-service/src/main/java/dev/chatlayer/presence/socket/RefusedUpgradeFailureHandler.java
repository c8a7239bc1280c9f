package dev.chatlayer.presence.socket;

import org.jboss.logging.Logger;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A WebSocket upgrade refused for its token is failed twice: the REST layer's mapper answers 401 problem+json,
 * then websockets-next's own check fails the same request again. On the socket's path a failure of a request
 * already answered has nothing left to do: it stops here, first among the failure handlers, with a DEBUG line
 * instead of an ERROR with a stack trace per bad token. (Other paths keep the default.)
 */
@ApplicationScoped
class RefusedUpgradeFailureHandler {

    private static final Logger LOG = Logger.getLogger(RefusedUpgradeFailureHandler.class);

    void register(@Observes Router router) {
        router.route(PresenceSocket.PATH).order(Integer.MIN_VALUE).failureHandler(context -> {
            if (context.response().ended()) {
                LOG.debugf("%s %s already answered %d; dropping a later failure: %s", context.request().method(),
                        context.request().path(), context.response().getStatusCode(), context.failure());
                return;
            }
            context.next();
        });
    }
}
