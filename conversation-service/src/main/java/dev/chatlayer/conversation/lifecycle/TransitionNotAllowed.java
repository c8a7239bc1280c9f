package dev.chatlayer.conversation.lifecycle;

import dev.chatlayer.support.ApiException;

/** A lifecycle change the rules forbid in the conversation's current state, or for this caller. */
class TransitionNotAllowed extends ApiException {

    TransitionNotAllowed(String detail) {
        super(409, "Conflict", detail, null);
    }
}
