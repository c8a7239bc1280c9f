package dev.chatlayer.message;

import dev.chatlayer.testkit.QuarkusTestStores;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Every test of this module runs against the servers QuarkusTestStores starts and real conversation- and presence-services
 * (its packaged jar) beside it (one app boot for the module).
 */
@QuarkusTestResource(value = QuarkusTestStores.class, initArgs = {
        @ResourceArg(name = "services", value = "conversation-service,presence-service"),
        @ResourceArg(name = "self", value = "message-service") })
public class TestServers {
}
