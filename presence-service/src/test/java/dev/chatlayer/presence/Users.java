package dev.chatlayer.presence;

import static io.restassured.RestAssured.given;

import java.util.UUID;

import dev.chatlayer.testkit.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Test users no other test uses, and REST calls made as them. */
final class Users {

    private Users() {
    }

    static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String token(String userId) {
        return Tokens.forUser(userId);
    }

    static RequestSpecification as(String userId) {
        return given().auth().oauth2(token(userId)).contentType(ContentType.JSON);
    }
}
