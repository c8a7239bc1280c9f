package dev.chatlayer.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;

/** A message as Redis keeps it (recent-cache members, idempotency keys): the same JSON the API answers with. */
@ApplicationScoped
public class MessageJson {

    private final ObjectMapper json;

    MessageJson(ObjectMapper json) {
        this.json = json;
    }

    public String write(Message message) {
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException when the text is not a message (a corrupted or foreign entry) */
    public Message read(String stored) {
        try {
            return json.readValue(stored, Message.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }
}
