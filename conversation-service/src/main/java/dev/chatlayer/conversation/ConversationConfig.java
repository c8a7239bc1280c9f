package dev.chatlayer.conversation;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every TTL and limit of conversation-service, with the defaults of docs/keys.md and docs/limits.md. */
@ConfigMapping(prefix = "conversation")
public interface ConversationConfig {

    /** How long {@code chat:{id}} keeps a conversation; every change rewrites it. */
    @WithDefault("24h")
    Duration cacheTtl();

    /** How often a {@code chat:{id}} that Redis refused to evict or update is evicted again, until it takes it. */
    @WithDefault("1s")
    Duration cacheRepairInterval();

    /** How long a rebuilt {@code contacts:{userId}} lives; presence-service has it rebuilt when it is missing. */
    @WithDefault("24h")
    Duration contactsTtl();

    /**
     * How long this replica remembers that a conversation id is unknown, so asking for made-up ids costs MongoDB one
     * lookup per id in that time (at most {@code conversation.unknown-ids} ids remembered).
     */
    @WithDefault("30s")
    Duration unknownIdMemory();

    /** Unknown conversation ids remembered at most (see {@code conversation.unknown-id-memory}). */
    @WithDefault("100000")
    int unknownIds();

    /** Most participants a conversation may have, creator included. */
    @WithDefault("50")
    int maxParticipants();

    /** Page size of the conversation list when the client names none. */
    @WithDefault("20")
    int defaultPageSize();

    /** Largest page size a client may ask for. */
    @WithDefault("100")
    int maxPageSize();

    /** Per-user limits (docs/limits.md); each holds across replicas, and per replica while Redis is unavailable. */
    Limits limits();

    interface Limits {

        /** Conversation creates per {@link #createsWindow()}. */
        @WithDefault("30")
        int creates();

        @WithDefault("1h")
        Duration createsWindow();

        /** The caller's own requests that may wait in PENDING at once. */
        @WithDefault("20")
        int pendingRequests();

        /** Accept, decline, end, hide, restore, block and unblock together, per {@link #stateChangesWindow()}. */
        @WithDefault("60")
        int stateChanges();

        @WithDefault("1m")
        Duration stateChangesWindow();

        /** Lists answered from MongoDB (conversations, blocks; message-service's history pages count too). */
        @WithDefault("20")
        int storeReads();

        @WithDefault("1s")
        Duration storeReadsWindow();
    }
}
