package dev.chatlayer.presence;

import static dev.chatlayer.presence.Users.acquainted;
import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.RequestCost;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Guard of the presence read, counted rather than timed (see {@link RequestCost}): the viewer's query limit, their
 * contacts and the user's presence in one Redis round trip. Allocation ceiling: 1.5 times issue 21's measurement.
 */
@QuarkusTest
class HotPathCostTest {

    /** Bytes a warm presence GET allocated on the service's threads when measured: 46 KB (tracing on, as the tests run). */
    static final double PRESENCE_GET_ALLOCATION_CEILING = 70_000;

    @Test
    void aPresenceGetIsOneRoundTrip() {
        String alice = user("alice");
        List<String> viewers = new ArrayList<>();
        for (int i = 0; i < 25; i++) { // 1,000 reads over 25 viewers stay within 60 queries per minute each
            String viewer = user("viewer" + i);
            acquainted(alice, viewer);
            viewers.add(token(viewer));
            given().auth().oauth2(viewers.get(i)).get("/api/v1/presence/" + alice).then().statusCode(200); // contacts read model built
        }
        AtomicInteger next = new AtomicInteger();

        RequestCost.Cost cost = RequestCost.of(QuarkusTestStores.redisPort(), 500, () -> given().auth().oauth2(viewers.get(next.getAndIncrement() % viewers.size()))
                .get("/api/v1/presence/" + alice).then().statusCode(200), () -> 0);

        System.out.println("presence GET: " + cost);
        assertTrue(cost.roundTrips() <= 1.1, "the limit, the contacts and the presence in one round trip: " + cost);
        assertEquals(1.0, cost.commands("mget"), 0.05, "one MGET of presence and last seen: " + cost);
        assertEquals(1.0, cost.commands("smismember"), 0.05, "one SMISMEMBER of the viewer's contacts: " + cost);
        assertTrue(cost.allocatedBytes() <= PRESENCE_GET_ALLOCATION_CEILING, "allocation per presence GET: " + cost);
    }
}
