package dev.chatlayer.conversation.lifecycle;

import dev.chatlayer.conversation.UserLimits;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import dev.chatlayer.support.Page;
import java.net.URI;

import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

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
    public Response create(@Valid @NotNull(message = "a JSON body is required") NewConversation body) {
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
