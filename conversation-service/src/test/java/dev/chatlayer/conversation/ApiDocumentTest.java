package dev.chatlayer.conversation;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chatlayer.support.Page;
import dev.chatlayer.testkit.ApiDocument;
import io.quarkus.test.junit.QuarkusTest;

/** docs/api/conversation-service.openapi.json is what this service serves at /q/openapi. */
@QuarkusTest
class ApiDocumentTest {

    @Test
    void theCommittedApiDescriptionIsWhatTheServiceServes() {
        String served = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        assertNull(ApiDocument.differenceFromCommitted("conversation-service", served));
    }

    @Test
    void everyBodyHasASchemaAndAnExampleAndEveryErrorIsAProblem() {
        String served = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        assertEquals(List.of(), ApiDocument.gaps(served, Page.class));
    }
}
