package dev.chatlayer.conversation.lifecycle;

import dev.chatlayer.support.ApiException;

/** Unknown, or the caller is not a participant: the two are answered alike so existence is not revealed. */
class ConversationNotFound extends ApiException {

    ConversationNotFound() {
        super(404, "Not found", "no such conversation", null);
    }
}
