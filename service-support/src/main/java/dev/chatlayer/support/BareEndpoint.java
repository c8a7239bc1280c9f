package dev.chatlayer.support;

import io.quarkus.resteasy.reactive.server.EndpointDisabled;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A constant answer through the same HTTP server, REST layer, filters and request timer as every endpoint: the
 * framework's ceiling, against which the benchmark ({@code benchmarks/run.sh}) states each path's throughput and
 * latency as a ratio measured in the same run. It exists only where {@code chat.bare-endpoint.enabled=true} (the
 * benchmark sets it): anywhere else Quarkus REST leaves the resource out at start, so its paths are unknown (404),
 * and it is under {@code /internal/}, which the gateway never routes.
 */
@Path("/internal/bare")
@EndpointDisabled(name = "chat.bare-endpoint.enabled", stringValue = "false", disableIfMissing = true)
public class BareEndpoint {

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String bare() {
        return "ok";
    }

    /** The same constant behind a user's authentication, as every API call: the security chain's own cost. */
    @GET
    @Path("/user")
    @RolesAllowed(CallerRoles.USER)
    @Produces(MediaType.TEXT_PLAIN)
    public String bareAsUser() {
        return bare();
    }
}
