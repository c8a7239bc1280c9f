package dev.chatlayer.message.unread;

import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /api/v1/messages/read}: 204; the caller's unread for it is 0, a read marker is stored, the others get a receipt. */
@Path("/api/v1/messages/read")
@RolesAllowed(CallerRoles.USER)
class ReadResource {

    private final ReadService reads;
    private final Caller caller;

    ReadResource(ReadService reads, Caller caller) {
        this.reads = reads;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public void read(@Valid @NotNull(message = "a JSON body is required") ReadRequest body) {
        reads.markRead(caller.id(), body.conversationId());
    }

    /** Body of {@code POST /api/v1/messages/read}. */
    public record ReadRequest(@NotNull String conversationId) {
    }
}
