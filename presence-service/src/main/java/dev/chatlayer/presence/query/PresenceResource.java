package dev.chatlayer.presence.query;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;

import dev.chatlayer.presence.ApiExamples;
import dev.chatlayer.presence.state.PresenceService;
import dev.chatlayer.presence.state.UserPresence;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import dev.chatlayer.support.Page;
import dev.chatlayer.support.UserIds;
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

/** The REST side of presence (docs/api/presence-service.openapi.json). HTTP in, service call, HTTP out. */
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
    @APIResponse(responseCode = "204", description = "Online for the next 5 minutes (or until DELETE), sockets or not")
    @APIResponse(responseCode = "429", description = "Past the caller's REST presence limit (heartbeats and DELETE together, docs/limits.md); Retry-After says when")
    public Uni<Void> heartbeat() {
        return presence.refresh(caller.id(), PresenceService.REST_CONNECTION);
    }

    /** Ends the caller's REST presence now; their sockets keep them online. */
    @DELETE
    @APIResponse(responseCode = "204", description = "The REST presence is gone; open sockets keep the caller online")
    @APIResponse(responseCode = "429", description = "Past the caller's REST presence limit (heartbeats and DELETE together, docs/limits.md); Retry-After says when")
    public Uni<Void> leave() {
        return presence.disconnect(caller.id(), PresenceService.REST_CONNECTION);
    }

    @GET
    @Path("/{userId}")
    @APIResponse(responseCode = "200", description = "Online or not, and when last seen; offline and never seen for anyone but the caller and their contacts",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = UserPresence.class),
                    examples = { @ExampleObject(name = "online", value = ApiExamples.ONLINE), @ExampleObject(name = "offline", value = ApiExamples.OFFLINE) }))
    @APIResponse(responseCode = "429", description = "Past the caller's presence-query limit (docs/limits.md); Retry-After says when")
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
    @APIResponse(responseCode = "200", description = "Each named user in the order asked, as GET answers one; always a single page",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.PresencePage.class),
                    examples = @ExampleObject(name = "two users", value = ApiExamples.PAGE)))
    @APIResponse(responseCode = "429", description = "Past the caller's presence-query limit (docs/limits.md); Retry-After says when")
    public Uni<Page<UserPresence>> query(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "two users", value = ApiExamples.QUERY))) @Valid @NotNull(message = "a JSON body is required") PresenceQuery body) {
        return presence.query(caller.id(), body.userIds()).map(users -> new Page<>(users, null));
    }
}
