package dev.chatlayer.conversation.lifecycle;

import java.net.URI;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chatlayer.conversation.UserLimits;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import dev.chatlayer.support.Page;
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
import jakarta.ws.rs.core.Response;

/** The public conversation API (conversation-service/README.md). HTTP in, service call, HTTP out. */
@Path("/api/v1/conversations")
@RolesAllowed(CallerRoles.USER)
@Produces(MediaType.APPLICATION_JSON)
class ConversationResource {

    private final ConversationService conversations;
    private final Caller caller;
    private final UserLimits limits;

    ConversationResource(ConversationService conversations, Caller caller, UserLimits limits) {
        this.conversations = conversations;
        this.caller = caller;
        this.limits = limits;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "Requested: the new conversation (PENDING), its address in Location",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ConversationView.class),
                    examples = @ExampleObject(name = "requested", value = "{\"id\":\"65f1a2b3c4d5e6f708192a3b\",\"participants\":[\"alice\",\"bob\"],"
                            + "\"createdBy\":\"alice\",\"status\":\"PENDING\",\"createdAt\":\"2026-12-04T08:00:00Z\","
                            + "\"updatedAt\":\"2026-12-04T08:00:00Z\",\"lastMessageAt\":null,\"deletedAt\":null}")))
    @APIResponse(responseCode = "200", description = "These participants already have an open (PENDING or ACCEPTED) conversation: that one",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ConversationView.class)))
    @APIResponse(responseCode = "403", description = "A block stands between the participants",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "429", description = "Past the caller's conversation-request limit (docs/limits.md); Retry-After says when",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response create(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "ask bob", value = "{\"participantIds\":[\"bob\"]}")))
            @Valid @NotNull(message = "a JSON body is required") NewConversation body) {
        String me = caller.id();
        limits.create(me);
        ConversationService.Created created = conversations.create(me, body.participantIds());
        ConversationView view = ConversationView.of(created.conversation(), me);
        return created.isNew()
                ? Response.created(URI.create("/api/v1/conversations/" + view.id())).entity(view).build()
                : Response.ok(view).build();
    }

    @GET
    public Page<ConversationView> list(@RestQuery String status, @RestQuery String limit, @RestQuery String cursor) {
        String me = caller.id();
        limits.storeRead(me);
        return conversations.list(me, status, limit, cursor);
    }

    @GET
    @Path("/{id}")
    public Uni<ConversationView> get(@RestPath String id) {
        String me = caller.id();
        return conversations.get(me, id).map(c -> ConversationView.of(c, me));
    }

    @POST
    @Path("/{id}/accept")
    public ConversationView accept(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        return ConversationView.of(conversations.accept(me, id), me);
    }

    @POST
    @Path("/{id}/decline")
    public ConversationView decline(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        return ConversationView.of(conversations.decline(me, id), me);
    }

    @POST
    @Path("/{id}/end")
    public ConversationView end(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        return ConversationView.of(conversations.end(me, id), me);
    }

    @DELETE
    @Path("/{id}")
    public void delete(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        conversations.hide(me, id);
    }

    @POST
    @Path("/{id}/restore")
    public void restore(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        conversations.restore(me, id);
    }
}
