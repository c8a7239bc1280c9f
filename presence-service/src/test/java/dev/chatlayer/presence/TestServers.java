package dev.chatlayer.presence;

import dev.chatlayer.testkit.ChatInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Every test of this module runs against the servers ChatInfra starts and the real conversation-service (its packaged
 * jar) beside it, which keeps the contacts read model presence is shown by (one app boot for the module).
 */
@QuarkusTestResource(value = ChatInfra.class, initArgs = @ResourceArg(name = "services", value = "conversation-service"))
public class TestServers {
}
