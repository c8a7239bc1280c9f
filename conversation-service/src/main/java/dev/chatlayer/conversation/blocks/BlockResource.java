package dev.chatlayer.conversation.blocks;

import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

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

/** The caller's blocks (conversation-service/README.md). */
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
    public void block(@RestPath String userId) {
        String me = caller.id();
        limits.stateChange(me);
        blocks.block(me, userId);
    }

    @DELETE
    @Path("/{userId}")
    public void unblock(@RestPath String userId) {
        String me = caller.id();
        limits.stateChange(me);
        blocks.unblock(me, userId);
    }

    @GET
    public Page<BlockService.BlockView> list(@RestQuery String limit, @RestQuery String cursor) {
        String me = caller.id();
        limits.storeRead(me);
        return blocks.list(me, limit, cursor);
    }
}
