package dev.chatlayer.presence;

import org.jboss.logging.Logger;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A refused WebSocket upgrade with an invalid token fails its request twice: once through the REST layer's
 * exception mapper, which answers 401 problem+json, and once more from websockets-next's own check of the same
 * authentication. The second run found the answer already written and logged an ERROR with a stack trace for
 * every bad token. On the socket's path, failures of a request that has been answered have nothing left to do:
 * they stop here, first among the failure handlers, with a DEBUG line. (Other paths keep the default: a failure
 * after an answer there would be a bug worth its ERROR.)
 */
@ApplicationScoped
class AnsweredFailures {

    private static final Logger LOG = Logger.getLogger(AnsweredFailures.class);

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
