package dev.chatlayer.presence.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The frames a client may send, and what anything else is answered with (docs/api/presence-socket.asyncapi.yaml). */
class ClientFrameTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theThreeFramesTheServerTakes() {
        assertInstanceOf(ClientFrame.Heartbeat.class, ClientFrame.decode(JSON, "{\"type\":\"heartbeat\"}"));
        ClientFrame.Watch watch = assertInstanceOf(ClientFrame.Watch.class, ClientFrame.decode(JSON, "{\"type\":\"watch\",\"userIds\":[\"bob\",\"carol\"]}"));
        assertEquals(List.of("bob", "carol"), List.of(watch.userIds().get(0).asText(), watch.userIds().get(1).asText()));
        assertEquals("t0k3n", assertInstanceOf(ClientFrame.Auth.class, ClientFrame.decode(JSON, "{\"type\":\"auth\",\"token\":\"t0k3n\"}")).token());
    }

    @Test
    void anythingElseIsAnsweredWithAnErrorCodeNeverAFailure() {
        for (String notAnObject : List.of("not json", "[1,2]", "\"heartbeat\"", "42", "null", "", "{}", "{\"userIds\":[]}")) {
            assertEquals(new ClientFrame.Unreadable("bad-frame", "frames are JSON objects with a \"type\""), ClientFrame.decode(JSON, notAnObject), notAnObject);
        }
        for (String unknown : List.of("{\"type\":\"subscribe\"}", "{\"type\":7}")) {
            assertEquals("unknown-type", ((ClientFrame.Unreadable) ClientFrame.decode(JSON, unknown)).code(), unknown);
        }
    }

    @Test
    void aWatchWithoutIdsOrAnAuthWithoutTokenIsLeftToTheirOwnChecks() {
        // the watch answers a missing or malformed list itself (bad-frame naming userIds); an empty token is an invalid one
        assertEquals(null, assertInstanceOf(ClientFrame.Watch.class, ClientFrame.decode(JSON, "{\"type\":\"watch\"}")).userIds());
        assertEquals("", assertInstanceOf(ClientFrame.Auth.class, ClientFrame.decode(JSON, "{\"type\":\"auth\"}")).token());
    }
}
