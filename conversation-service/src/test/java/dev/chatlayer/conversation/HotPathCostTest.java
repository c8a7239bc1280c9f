package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.user;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.RequestCost;
import dev.chatlayer.testkit.keys.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Guards of the hot read path, counted rather than timed (see {@link RequestCost}): what a cached conversation GET
 * costs in Redis round trips and commands, MongoDB operations and bytes allocated on the serving threads. The
 * allocation ceiling is about 1.5 times what issue 21's work measured: a change that doubles it fails here.
 */
@QuarkusTest
class HotPathCostTest {

    /**
     * Bytes a warm cached GET allocated on the service's threads when issue 21 measured it: 50 KB (tracing on, as
     * the tests run it; the context propagation Mutiny does around each step is the largest share). 1.5 times that.
     */
    static final double CACHED_GET_ALLOCATION_CEILING = 75_000;

    @Inject
    MeterRegistry metrics;

    @Test
    void aCachedGetIsOneRedisRoundTripAndNoMongoDb() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.create(alice, bob);
        as(alice).get("/api/v1/conversations/" + id).then().statusCode(200); // cached from here
        double mongoBefore = mongoOperations();

        String token = Tokens.forUser(alice); // one token, as a client holds one: verified once, then remembered

        RequestCost.Cost cost = RequestCost.of(QuarkusTestStores.redisPort(), 500,
                () -> given().auth().oauth2(token).get("/api/v1/conversations/" + id).then().statusCode(200), this::mongoOperations);

        System.out.println("cached GET: " + cost);
        assertTrue(cost.counted() <= 0.01, "a cached GET never reaches MongoDB (counted: its operations): " + cost);
        assertEquals(1.0, cost.commands("get"), 0.05, "one GET of chat:{id}: " + cost);
        assertTrue(cost.allCommands() <= 1.05, "nothing but that GET: " + cost);
        assertTrue(cost.roundTrips() <= 1.1, "one round trip: " + cost);
        assertTrue(cost.allocatedBytes() <= CACHED_GET_ALLOCATION_CEILING, "allocation per cached GET: " + cost);
    }

    private double mongoOperations() {
        return metrics.find("mongodb.driver.commands").timers().stream().mapToLong(Timer::count).sum();
    }
}
