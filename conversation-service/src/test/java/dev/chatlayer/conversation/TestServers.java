package dev.chatlayer.conversation;

import dev.chatlayer.testkit.QuarkusTestStores;
import io.quarkus.test.common.QuarkusTestResource;

/** Every test of this module runs against the servers QuarkusTestStores starts (one app boot for the module). */
@QuarkusTestResource(QuarkusTestStores.class)
public class TestServers {
}
