package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.util.Collections;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** Whatever a client sends, the answer is a 4xx problem that names what is wrong: never a 500 or a trace. */
@QuarkusTest
class BadInputTest {

    private static final String CREATE = "/api/v1/conversations";

    @Test
    void malformedJsonIsA400() {
        problem(as(user("a")).body("{\"participantIds\": [\"bob\"").post(CREATE), 400, "body");
        problem(as(user("a")).body("not json at all").post(CREATE), 400, "body");
    }

    @Test
    void aBodyOfTheWrongShapeIsA400() {
        problem(as(user("a")).body("[\"bob\"]").post(CREATE), 400, "body");
        problem(as(user("a")).body("\"bob\"").post(CREATE), 400, "body");
    }

    @Test
    void wrongTypesNameTheField() {
        problem(as(user("a")).body("{\"participantIds\": \"bob\"}").post(CREATE), 400, "participantIds");
        problem(as(user("a")).body("{\"participantIds\": [{\"id\":\"bob\"}]}").post(CREATE), 400, "participantIds[0]");
    }

    @Test
    void forbiddenAndUnknownFieldsAreRefusedByName() {
        for (String field : new String[] { "status", "createdBy", "id", "createdAt", "participants", "whatever" }) {
            problem(as(user("a")).body("{\"participantIds\": [\"bob\"], \"" + field + "\": \"x\"}").post(CREATE), 400, field)
                    .body("detail", containsString(field));
        }
    }

    @Test
    void missingOrEmptyBodyIsA400() {
        problem(as(user("a")).post(CREATE), 400, "body");
        problem(as(user("a")).body("{}").post(CREATE), 400, "participantIds");
        problem(as(user("a")).body("{\"participantIds\": []}").post(CREATE), 400, "participantIds");
        problem(as(user("a")).body("{\"participantIds\": null}").post(CREATE), 400, "participantIds");
    }

    @Test
    void invalidParticipantIdsAreNamed() {
        problem(as(user("a")).body("{\"participantIds\": [\"bob\", \"\"]}").post(CREATE), 400, "participantIds[1]");
        problem(as(user("a")).body("{\"participantIds\": [\"bob\", \"x:y\"]}").post(CREATE), 400, "participantIds[1]");
        problem(as(user("a")).body("{\"participantIds\": [null]}").post(CREATE), 400, "participantIds[0]");
        problem(as(user("a")).body("{\"participantIds\": [\"" + "b".repeat(129) + "\"]}").post(CREATE), 400, "participantIds[0]");
    }

    @Test
    void tooManyParticipantsIsA400() {
        String me = user("a");
        String fifty = IntStream.range(0, 50).mapToObj(i -> "\"u" + i + "\"").collect(Collectors.joining(","));
        problem(as(me).body("{\"participantIds\": [" + fifty + "]}").post(CREATE), 400, "participantIds")
                .body("detail", containsString("at most 50"));
        String fiftyOne = fifty + ",\"u50\"";
        problem(as(me).body("{\"participantIds\": [" + fiftyOne + "]}").post(CREATE), 400, "participantIds");
        String huge = String.join(",", Collections.nCopies(5000, "\"u\""));
        problem(as(me).body("{\"participantIds\": [" + huge + "]}").post(CREATE), 400, "participantIds");
    }

    @Test
    void onlyTheCallerIsNotAConversation() {
        String me = user("a");
        problem(as(me).body("{\"participantIds\": [\"" + me + "\"]}").post(CREATE), 400, "participantIds");
    }

    @Test
    void invalidConversationIdsAreA400() {
        for (String id : new String[] { "nope", "123", "zzzzzzzzzzzzzzzzzzzzzzzz", "%20" }) {
            problem(as(user("a")).get(CREATE + "/" + id), 400, "id");
            problem(as(user("a")).post(CREATE + "/" + id + "/accept"), 400, "id");
            problem(as(user("a")).delete(CREATE + "/" + id), 400, "id");
        }
    }

    @Test
    void badListParametersAreNamed() {
        String me = user("a");
        for (String limit : new String[] { "0", "101", "-1", "ten", "1.5", "99999999999" }) {
            problem(as(me).queryParam("limit", limit).get(CREATE), 400, "limit");
        }
        problem(as(me).queryParam("status", "OPEN").get(CREATE), 400, "status");
        problem(as(me).queryParam("cursor", "garbage!").get(CREATE), 400, "cursor");
        problem(as(me).queryParam("cursor", "MTIzOm5vcGU").get(CREATE), 400, "cursor"); // base64 of "123:nope"
    }

    @Test
    void badActivityReportsAreNamed() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        problem(Api.asService().body("{\"messageId\":\"m\",\"senderId\":\"" + alice + "\"}").post("/internal/conversations/" + id + "/activity"), 400, "sentAt");
        problem(Api.asService().body("{\"messageId\":\"m\",\"senderId\":\"" + alice + "\",\"sentAt\":\"yesterday\"}")
                .post("/internal/conversations/" + id + "/activity"), 400, "sentAt");
        problem(Api.asService().body("{\"messageId\":\"m\",\"sentAt\":\"2026-01-01T00:00:00Z\"}").post("/internal/conversations/" + id + "/activity"), 400, "senderId");
        for (String far : new String[] { "+1000000000-01-01T00:00:00Z", "-5000-01-01T00:00:00Z" }) {
            problem(Api.asService().body("{\"messageId\":\"m\",\"senderId\":\"" + alice + "\",\"sentAt\":\"" + far + "\"}")
                    .post("/internal/conversations/" + id + "/activity"), 400, "sentAt");
        }
    }

    @Test
    void wrongContentTypeAndUnknownPathsAreProblems() {
        problem(as(user("a")).contentType("text/plain").body("participantIds=bob").post(CREATE), 415, null);
        problem(as(user("a")).get("/api/v1/nothing-here"), 404, null);
        problem(as(user("a")).put(CREATE), 405, null);
    }

    private static ValidatableResponse problem(io.restassured.response.Response response, int status, String field) {
        ValidatableResponse checked = response.then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body(noInternals());
        return field == null ? checked : checked.body("field", equalTo(field));
    }

    private static Matcher<String> noInternals() {
        return allOf(not(containsString("Exception")), not(containsString("at dev.")), not(containsString("at io.")),
                not(containsString("jackson")));
    }
}
