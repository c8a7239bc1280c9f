package dev.chatlayer.conversation.blocks;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chatlayer.conversation.ApiExamples;
import dev.chatlayer.conversation.UserLimits;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import dev.chatlayer.support.Page;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The caller's blocks (docs/api/conversation-service.openapi.json). */
@Path("/api/v1/blocks")
@RolesAllowed(CallerRoles.USER)
@Produces(MediaType.APPLICATION_JSON)
class BlockResource {

    private final BlockService blocks;
    private final Caller caller;
    private final UserLimits limits;

    BlockResource(BlockService blocks, Caller caller, UserLimits limits) {
        this.blocks = blocks;
        this.caller = caller;
        this.limits = limits;
    }

    @PUT
    @Path("/{userId}")
    @APIResponse(responseCode = "204", description = "Blocked (again is no error): no new conversation between the two, no presence either way")
    @APIResponse(responseCode = "429", description = "Past the caller's state-change limit (docs/limits.md); Retry-After says when")
    public void block(@RestPath String userId) {
        String me = caller.id();
        limits.stateChange(me);
        blocks.block(me, userId);
    }

    @DELETE
    @Path("/{userId}")
    @APIResponse(responseCode = "204", description = "Not blocked any more (never blocked is no error)")
    @APIResponse(responseCode = "429", description = "Past the caller's state-change limit (docs/limits.md); Retry-After says when")
    public void unblock(@RestPath String userId) {
        String me = caller.id();
        limits.stateChange(me);
        blocks.unblock(me, userId);
    }

    @GET
    @APIResponse(responseCode = "200", description = "The users the caller blocked, newest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BlockPage.class),
                    examples = @ExampleObject(name = "one block", value = ApiExamples.BLOCKS)))
    @APIResponse(responseCode = "429", description = "Past the caller's store-read limit (docs/limits.md); Retry-After says when")
    public Page<BlockService.BlockView> list(@RestQuery String limit, @RestQuery String cursor) {
        String me = caller.id();
        limits.storeRead(me);
        return blocks.list(me, limit, cursor);
    }

    /** The shape of {@code Page<BlockView>} for the API description: an annotation cannot name a generic type. */
    @Schema(name = "PageBlockView")
    record BlockPage(List<BlockService.BlockView> items, String nextCursor) {
    }
}
