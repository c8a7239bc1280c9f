package dev.chatlayer.message;

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

/** The shared bad-input corpus over every endpoint of message-service: never a 5xx, a trace or a class name. */
@QuarkusTest
class BadInputCorpusTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyEndpointAnswersBadInputWithAProblem() {
        String alice = "user-" + Api.user("a"), bob = "user-" + Api.user("b");
        String id = Api.accepted(alice, bob);
        String asAlice = Tokens.forUser(alice);
        List<Endpoint> endpoints = List.of(
                new Endpoint("POST", "/api/v1/messages", "{\"conversationId\":\"" + id + "\",\"content\":\"hi\",\"clientMessageId\":\"c1\"}",
                        List.of(), asAlice),
                new Endpoint("GET", "/api/v1/messages", null, List.of("conversationId", "limit", "before", "after"), asAlice),
                new Endpoint("POST", "/api/v1/messages/read", "{\"conversationId\":\"" + id + "\"}", List.of(), asAlice),
                new Endpoint("GET", "/api/v1/unread", null, List.of("conversationIds"), asAlice),
                new Endpoint("POST", "/internal/unread/" + alice + "/" + id + "/reset", null, List.of("at"),
                        Tokens.forService("conversation-service", "message-service")));

        Report report = new BadInputCorpus(base.toString()).run("message-service", endpoints);

        assertTrue(report.cases() > 150, "the corpus ran: " + report);
        assertEquals(List.of(), report.failures(), report.toString());
    }
}
