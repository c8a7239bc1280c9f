package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.BadInputCorpus;
import dev.chatlayer.testkit.BadInputCorpus.Endpoint;
import dev.chatlayer.testkit.BadInputCorpus.Report;
import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The shared bad-input corpus over every endpoint of conversation-service: never a 5xx, a trace or a class name. */
@QuarkusTest
class BadInputCorpusTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyEndpointAnswersBadInputWithAProblem() {
        String alice = "user-" + user("a"), bob = "user-" + user("b");
        String id = create(alice, bob);
        String asAlice = Tokens.forUser(alice);
        String asCarol = Tokens.forUser("user-" + user("c")); // her own limits: alice's are spent by the cases above
        String asMessages = Tokens.forService("message-service", "conversation-service");
        String asPresence = Tokens.forService("presence-service", "conversation-service");
        String conversation = "/api/v1/conversations/" + id;
        List<Endpoint> endpoints = List.of(
                new Endpoint("POST", "/api/v1/conversations", "{\"participantIds\":[\"" + bob + "\"]}", List.of(), asAlice),
                new Endpoint("GET", "/api/v1/conversations", null, List.of("status", "limit", "cursor"), asAlice),
                new Endpoint("GET", conversation, null, List.of(), asAlice),
                new Endpoint("POST", conversation + "/accept", null, List.of(), asAlice),
                new Endpoint("POST", conversation + "/decline", null, List.of(), asAlice),
                new Endpoint("POST", conversation + "/end", null, List.of(), asAlice),
                new Endpoint("POST", conversation + "/restore", null, List.of(), asAlice),
                new Endpoint("DELETE", conversation, null, List.of(), asAlice),
                new Endpoint("PUT", "/api/v1/blocks/" + bob, null, List.of(), asCarol),
                new Endpoint("DELETE", "/api/v1/blocks/" + bob, null, List.of(), asCarol),
                new Endpoint("GET", "/api/v1/blocks", null, List.of("limit", "cursor"), asCarol),
                new Endpoint("GET", "/internal/conversations/" + id, null, List.of(), asMessages),
                new Endpoint("POST", "/internal/conversations/" + id + "/activity",
                        "{\"messageId\":\"m1\",\"senderId\":\"" + alice + "\",\"sentAt\":\"2026-01-01T00:00:00Z\"}", List.of(), asMessages),
                new Endpoint("GET", "/internal/users/" + alice + "/conversations", null, List.of("limit", "cursor"), asMessages),
                new Endpoint("GET", "/internal/users/" + alice + "/contacts", null, List.of(), asPresence));

        Report report = new BadInputCorpus(base.toString()).run("conversation-service", endpoints);

        assertTrue(report.cases() > 250, "the corpus ran: " + report);
        assertEquals(List.of(), report.failures(), report.toString());
    }
}
