package dev.chatlayer.support;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.mongodb.MongoException;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** MongoDB unreachable or failing: 503 with Retry-After, never a 500 with driver details. */
class StorageProblems {

    private static final Logger LOG = Logger.getLogger(StorageProblems.class);

    @ServerExceptionMapper
    Response storageDown(MongoException e) {
        LOG.warnf("MongoDB unavailable: %s", e.getMessage());
        return Response.fromResponse(Problem.response(503, "Service unavailable", "storage is unavailable, retry shortly", null))
                .header(HttpHeaders.RETRY_AFTER, "1").build();
    }
}
