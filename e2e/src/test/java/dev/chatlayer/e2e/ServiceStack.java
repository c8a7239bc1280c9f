package dev.chatlayer.e2e;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.chatlayer.testkit.ProcessTestStores;
import dev.chatlayer.testkit.ServiceProcess;
import dev.chatlayer.testkit.servers.FreePort;

/** The three packaged services as processes, one replica each, on stores of the test's own (as ClusterFailoverIT runs them). */
final class ServiceStack implements AutoCloseable {

    final ProcessTestStores stores;
    final ServiceProcess conversations;
    final ServiceProcess presence;
    final ServiceProcess messages;

    private ServiceStack(ProcessTestStores stores, ServiceProcess conversations, ServiceProcess presence, ServiceProcess messages) {
        this.stores = stores;
        this.conversations = conversations;
        this.presence = presence;
        this.messages = messages;
    }

    /** Starts the services on {@code stores} with {@code settings} on top of the stores' configuration. */
    static ServiceStack start(ProcessTestStores stores, Map<String, String> settings) {
        Map<String, String> config = new HashMap<>(stores.serviceConfig());
        config.putAll(settings);
        // ports first: conversation-service and message-service call each other
        int conversationPort = FreePort.find(), presencePort = FreePort.find(), messagePort = FreePort.find();
        config.put("quarkus.rest-client.conversation-service.url", "http://localhost:" + conversationPort);
        config.put("quarkus.rest-client.message-service.url", "http://localhost:" + messagePort);
        return new ServiceStack(stores, ServiceProcess.start(jar("conversation-service"), config, conversationPort),
                ServiceProcess.start(jar("presence-service"), config, presencePort),
                ServiceProcess.start(jar("message-service"), config, messagePort));
    }

    private static Path jar(String service) {
        return ServiceProcess.siblingJar(service).toPath();
    }

    String socketUrl() {
        return "ws://127.0.0.1:" + presence.port() + "/api/v1/presence/ws";
    }

    /** The last lines each service logged, for a failing assertion's message. */
    String logs() {
        return "\n--- conversation-service:\n" + conversations.logTail(30) + "\n--- presence-service:\n" + presence.logTail(30)
                + "\n--- message-service:\n" + messages.logTail(30);
    }

    @Override
    public void close() {
        messages.stop();
        presence.stop();
        conversations.stop();
        stores.close();
    }
}
