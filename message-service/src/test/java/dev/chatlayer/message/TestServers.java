package dev.chatlayer.message;

import dev.chatlayer.testkit.ChatInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Every test of this module runs against the servers ChatInfra starts and real conversation- and presence-services
 * (its packaged jar) beside it (one app boot for the module).
 */
@QuarkusTestResource(value = ChatInfra.class, initArgs = {
        @ResourceArg(name = "services", value = "conversation-service,presence-service"),
        @ResourceArg(name = "self", value = "message-service") })
public class TestServers {
}
