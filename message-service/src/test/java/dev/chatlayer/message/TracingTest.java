package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.user;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import io.quarkus.test.junit.QuarkusTest;

/**
 * One send is one trace across the services: the W3C trace context a gateway passes in ({@code traceparent}) reaches
 * conversation-service through message-service's calls, and both export their spans under that trace id.
 */
@QuarkusTest
class TracingTest {

    @Test
    void aSendsTraceIdCrossesIntoConversationService() {
        String alice = user("alice"), bob = user("bob");
        String conversation = accepted(alice, bob); // new to message-service: the send asks conversation-service about it
        String traceId = HexFormat.of().formatHex(random(16));
        String parentSpan = HexFormat.of().formatHex(random(8));

        as(alice).header("traceparent", "00-" + traceId + "-" + parentSpan + "-01")
                .body(Map.of("conversationId", conversation, "content", "traced")).post("/api/v1/messages").then().statusCode(201);

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> QuarkusTestStores.traces().sawTraceFrom("message-service", traceId));
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> QuarkusTestStores.traces().sawTraceFrom("conversation-service", traceId));
    }

    @Test
    void theActivityReportOfTheWorkStreamJoinsTheSendsTrace() {
        String alice = user("alice"), bob = user("bob");
        String conversation = accepted(alice, bob);
        // known to message-service from now on: the traced send below asks conversation-service nothing itself
        as(alice).body(Map.of("conversationId", conversation, "content", "untraced")).post("/api/v1/messages").then().statusCode(201);
        String traceId = HexFormat.of().formatHex(random(16));

        as(alice).header("traceparent", "00-" + traceId + "-" + HexFormat.of().formatHex(random(8)) + "-01")
                .body(Map.of("conversationId", conversation, "content", "traced")).post("/api/v1/messages").then().statusCode(201);

        // conversation-service hears of that trace only through the entry's activity report
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTestStores.traces().sawTraceFrom("conversation-service", traceId));
    }

    private static byte[] random(int bytes) {
        byte[] id = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(id);
        id[0] |= 1; // never all zero (an invalid id)
        return id;
    }
}
