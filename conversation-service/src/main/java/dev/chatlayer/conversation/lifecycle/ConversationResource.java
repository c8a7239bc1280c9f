package dev.chatlayer.conversation.lifecycle;

import java.net.URI;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chatlayer.conversation.ApiExamples;
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

/** The public conversation API (docs/api/conversation-service.openapi.json). HTTP in, service call, HTTP out. */
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
                    examples = @ExampleObject(name = "requested", value = ApiExamples.PENDING)))
    @APIResponse(responseCode = "200", description = "These participants already have an open (PENDING or ACCEPTED) conversation: that one",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ConversationView.class),
                    examples = @ExampleObject(name = "already open", value = ApiExamples.ACCEPTED)))
    @APIResponse(responseCode = "403", description = "A block stands between the participants",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem"), examples = @ExampleObject(name = "blocked",
                    value = "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"blocked: a participant blocked another\"}")))
    @APIResponse(responseCode = "429", description = "Past the caller's conversation-request limit (docs/limits.md); Retry-After says when")
    public Response create(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "ask bob", value = ApiExamples.NEW_CONVERSATION)))
            @Valid @NotNull(message = "a JSON body is required") NewConversation body) {
        String me = caller.id();
        limits.create(me);
        ConversationService.Created created = conversations.create(me, body.participantIds());
        ConversationView view = ConversationView.of(created.conversation(), me);
        return created.isNew()
                ? Response.created(URI.create("/api/v1/conversations/" + view.id())).entity(view).build()
                : Response.ok(view).build();
    }

    @APIResponse(responseCode = "200", description = "The caller's visible conversations, most recent activity first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.ConversationPage.class),
                    examples = @ExampleObject(name = "one page", value = ApiExamples.PAGE)))
    @APIResponse(responseCode = "429", description = "Past the caller's store-read limit (docs/limits.md); Retry-After says when")
    @GET
    public Page<ConversationView> list(@RestQuery String status, @RestQuery String limit, @RestQuery String cursor) {
        String me = caller.id();
        limits.storeRead(me);
        return conversations.list(me, status, limit, cursor);
    }

    @APIResponse(responseCode = "200", description = "The conversation as the caller sees it", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ConversationView.class), examples = @ExampleObject(name = "accepted", value = ApiExamples.ACCEPTED)))
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @GET
    @Path("/{id}")
    public Uni<ConversationView> get(@RestPath String id) {
        String me = caller.id();
        return conversations.get(me, id).map(c -> ConversationView.of(c, me));
    }

    @APIResponse(responseCode = "200", description = "Accepted by an invited participant", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ConversationView.class), examples = @ExampleObject(name = "accepted", value = ApiExamples.ACCEPTED)))
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @APIResponse(responseCode = "409", description = "Not PENDING, or the caller is the one who asked")
    @APIResponse(responseCode = "429", description = "Past the caller's state-change limit (docs/limits.md); Retry-After says when")
    @POST
    @Path("/{id}/accept")
    public ConversationView accept(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        return ConversationView.of(conversations.accept(me, id), me);
    }

    @APIResponse(responseCode = "200", description = "Declined by an invited participant", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ConversationView.class), examples = @ExampleObject(name = "declined", value = ApiExamples.DECLINED)))
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @APIResponse(responseCode = "409", description = "Not PENDING, or the caller is the one who asked")
    @APIResponse(responseCode = "429", description = "Past the caller's state-change limit (docs/limits.md); Retry-After says when")
    @POST
    @Path("/{id}/decline")
    public ConversationView decline(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        return ConversationView.of(conversations.decline(me, id), me);
    }

    @APIResponse(responseCode = "200", description = "Ended by a participant: nobody may send any more", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ConversationView.class), examples = @ExampleObject(name = "ended", value = ApiExamples.ENDED)))
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @APIResponse(responseCode = "409", description = "Not ACCEPTED")
    @APIResponse(responseCode = "429", description = "Past the caller's state-change limit (docs/limits.md); Retry-After says when")
    @POST
    @Path("/{id}/end")
    public ConversationView end(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        return ConversationView.of(conversations.end(me, id), me);
    }

    @APIResponse(responseCode = "204", description = "Hidden for the caller (the others still see it); a later message brings it back")
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @APIResponse(responseCode = "429", description = "Past the caller's state-change limit (docs/limits.md); Retry-After says when")
    @DELETE
    @Path("/{id}")
    public void delete(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        conversations.hide(me, id);
    }

    @APIResponse(responseCode = "204", description = "Visible to the caller again, their cutoff removed (also when it was not hidden)")
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @APIResponse(responseCode = "429", description = "Past the caller's state-change limit (docs/limits.md); Retry-After says when")
    @POST
    @Path("/{id}/restore")
    public void restore(@RestPath String id) {
        String me = caller.id();
        limits.stateChange(me);
        conversations.restore(me, id);
    }
}
