package dev.chatlayer.message;

import dev.chatlayer.testkit.ChatInfra;
import io.quarkus.test.common.QuarkusTestResource;

/** Every test of this module runs against the servers ChatInfra starts (one app boot for the module). */
@QuarkusTestResource(ChatInfra.class)
public class TestServers {
}
