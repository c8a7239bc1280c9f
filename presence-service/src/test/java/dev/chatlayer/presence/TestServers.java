package dev.chatlayer.presence;

import dev.chatlayer.testkit.QuarkusTestStores;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * Every test of this module runs against the servers QuarkusTestStores starts and the real conversation-service (its packaged
 * jar) beside it, which keeps the contacts read model presence is shown by (one app boot for the module).
 */
@QuarkusTestResource(value = QuarkusTestStores.class, initArgs = @ResourceArg(name = "services", value = "conversation-service"))
public class TestServers {
}
