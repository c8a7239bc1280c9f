package dev.chatlayer.message;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HealthTest {

    @Test
    void liveAndReadyWithRedisAndMongoDbChecked() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        // readiness is this replica's own state; the shared dependencies are reported in their group (docs/operations.md, "Health")
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).body("checks.name", hasItem("Graceful Shutdown"))
                .body("checks.name", everyItem(not(anyOf(containsString("Redis"), containsString("MongoDB"), equalTo("redis"), equalTo("mongodb")))));
        given().get("/q/health/group/dependencies").then().statusCode(200).body("checks.name", hasItems("redis", "mongodb"));
    }
}
