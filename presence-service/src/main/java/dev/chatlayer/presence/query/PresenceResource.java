package dev.chatlayer.presence.query;

import dev.chatlayer.presence.state.PresenceService;
import dev.chatlayer.presence.state.UserPresence;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import dev.chatlayer.support.Page;
import dev.chatlayer.support.UserIds;
import org.jboss.resteasy.reactive.RestPath;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The REST side of presence (presence-service/README.md). HTTP in, service call, HTTP out. */
@Path("/api/v1/presence")
@RolesAllowed(CallerRoles.USER)
@Produces(MediaType.APPLICATION_JSON)
public class PresenceResource {

    private final PresenceService presence;
    private final Caller caller;

    PresenceResource(PresenceService presence, Caller caller) {
        this.presence = presence;
        this.caller = caller;
    }

    /** Online for one TTL without a socket. */
    @POST
    @Path("/heartbeat")
    public Uni<Void> heartbeat() {
        return presence.refresh(caller.id(), PresenceService.REST_CONNECTION);
    }

    /** Ends the caller's REST presence now; their sockets keep them online. */
    @DELETE
    public Uni<Void> leave() {
        return presence.disconnect(caller.id(), PresenceService.REST_CONNECTION);
    }

    @GET
    @Path("/{userId}")
    public Uni<UserPresence> get(@RestPath String userId) {
        String viewer = caller.id();
        if (!UserIds.isValid(userId)) {
            throw ApiException.badInput("userId", "not a user id");
        }
        return presence.get(viewer, userId);
    }

    @POST
    @Path("/query")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Page<UserPresence>> query(@Valid @NotNull(message = "a JSON body is required") PresenceQuery body) {
        return presence.query(caller.id(), body.userIds()).map(users -> new Page<>(users, null));
    }
}
