package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ReadBadInputTest {

    @Test
    void historyParametersAreNamed() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        problem(as(alice).get("/api/v1/messages"), 400, "conversationId");
        problem(as(alice).queryParam("conversationId", "nope").get("/api/v1/messages"), 400, "conversationId");
        for (String limit : new String[] { "0", "101", "x" }) {
            problem(as(alice).queryParam("conversationId", chat).queryParam("limit", limit).get("/api/v1/messages"), 400, "limit");
        }
        problem(as(alice).queryParam("conversationId", chat).queryParam("before", "garbage").get("/api/v1/messages"), 400, "before");
        problem(as(alice).queryParam("conversationId", chat).queryParam("after", "garbage").get("/api/v1/messages"), 400, "after");
        problem(as(user("mallory")).queryParam("conversationId", chat).get("/api/v1/messages"), 404, null);
    }

    @Test
    void readAndUnreadInputIsNamed() {
        String alice = user("alice");
        problem(as(alice).body(Map.of("conversationId", "nope")).post("/api/v1/messages/read"), 400, "conversationId");
        problem(as(alice).body("{}").post("/api/v1/messages/read"), 400, "conversationId");
        problem(as(alice).body("{\"conversationId\":\"" + new ObjectId() + "\",\"userId\":\"x\"}").post("/api/v1/messages/read"), 400, "userId");
        problem(as(alice).body(Map.of("conversationId", new ObjectId().toHexString())).post("/api/v1/messages/read"), 404, null);
        problem(as(alice).queryParam("conversationIds", "nope").get("/api/v1/unread"), 400, "conversationIds");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            tooMany.add(new ObjectId().toHexString());
        }
        problem(as(alice).queryParam("conversationIds", String.join(",", tooMany)).get("/api/v1/unread"), 400, "conversationIds");
        problem(given().get("/api/v1/unread"), 401, null);
        problem(given().get("/api/v1/messages?conversationId=" + new ObjectId()), 401, null);
    }

    @Test
    void metricsShowSendsBatchesCacheRateLimitAndLatencyBucketsWithoutIds() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        Api.send(alice, chat, "measured").then().statusCode(201);
        as(alice).queryParam("conversationId", chat).get("/api/v1/messages").then().statusCode(200);
        given().accept("text/plain; version=0.0.4").get("/q/metrics").then().statusCode(200)
                .body(matchesPattern("(?s).*messages_send_seconds_count [1-9].*"))
                .body(matchesPattern("(?s).*messages_batch_size_count [1-9].*"))
                .body(containsString("chat_cache_requests_total{cache=\"messages\",result=\"miss\""))
                .body(containsString("chat_limit_refused_total{limit=\"messages\""))
                // each endpoint's share of requests within the promised latencies (LatencyObjectives)
                .body(matchesPattern("(?s).*http_server_requests_seconds_bucket\\{[^}]*uri=\"/api/v1/messages\",le=\"0\\.003\",?} \\d.*"))
                .body(matchesPattern("(?s).*http_server_requests_seconds_bucket\\{[^}]*uri=\"/api/v1/messages\",le=\"0\\.025\",?} \\d.*"))
                .body(not(containsString(alice)))
                .body(not(containsString(chat)));
    }

    private static void problem(io.restassured.response.Response response, int status, String field) {
        var checked = response.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body(not(containsString("Exception")));
        if (field != null) {
            checked.body("field", equalTo(field));
        }
    }
}
