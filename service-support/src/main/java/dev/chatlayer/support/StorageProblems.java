package dev.chatlayer.support;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.mongodb.MongoException;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * A store unreachable or failing where the request has no other path: 503 with Retry-After, never a 500 with driver
 * details. MongoDB is the truth (nothing else can answer); Redis is the speed layer, and reaches here only from what
 * only Redis holds (presence).
 */
class StorageProblems {

    private static final Logger LOG = Logger.getLogger(StorageProblems.class);

    @ServerExceptionMapper
    Response storageDown(MongoException e) {
        LOG.warnf("MongoDB unavailable: %s", e.getMessage());
        return Response.fromResponse(Problem.response(503, "Service unavailable", "storage is unavailable, retry shortly", null))
                .header(HttpHeaders.RETRY_AFTER, "1").build();
    }

    @ServerExceptionMapper
    Response speedLayerDown(RedisUnavailable e) {
        LOG.debugf("Redis unavailable: %s", e.getMessage());
        return Response.fromResponse(Problem.response(503, "Service unavailable", "the speed layer is not answering, retry shortly", null))
                .header(HttpHeaders.RETRY_AFTER, "1").build();
    }
}
