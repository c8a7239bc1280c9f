package dev.chatlayer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The Kubernetes manifests parse into the typed model (a typo in a field name lands in
 * "additionalProperties" and fails here) and wire the services the way the probes and the
 * other services expect.
 */
class ManifestsTest {

    private static final Path K8S = Path.of("..", "k8s");
    private static final List<String> SERVICES = List.of("conversation-service", "presence-service", "message-service");

    @Test
    void everyManifestParsesIntoTheTypedModelWithoutUnknownFields() throws IOException {
        List<HasMetadata> all = resources();
        assertTrue(all.size() >= 8, "base and local infra resources, found " + all.size());
        for (HasMetadata resource : all) {
            assertNotNull(resource.getMetadata().getName(), resource.getKind() + " has a name");
            String yaml = Serialization.asYaml(resource);
            assertFalse(yaml.contains("additionalProperties"), "unknown field in " + resource.getKind() + " " + resource.getMetadata().getName());
        }
    }

    @Test
    void eachServiceHasProbesOnQuarkusHealthAndAServiceOnItsHttpPort() throws IOException {
        List<HasMetadata> all = resources();
        for (String name : SERVICES) {
            Deployment deployment = find(all, Deployment.class, name);
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertEquals("/q/health/live", container.getLivenessProbe().getHttpGet().getPath(), name);
            assertEquals("/q/health/ready", container.getReadinessProbe().getHttpGet().getPath(), name);
            assertEquals(8080, container.getPorts().get(0).getContainerPort(), name);
            assertEquals(deployment.getSpec().getSelector().getMatchLabels(),
                    filter(deployment.getSpec().getTemplate().getMetadata().getLabels(), deployment.getSpec().getSelector().getMatchLabels()), name);

            Service service = find(all, Service.class, name);
            assertEquals(deployment.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector(), name + " service selects the pods");
            assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal(), name);
            assertEquals("chat-config", container.getEnvFrom().get(0).getConfigMapRef().getName(), name);
        }
    }

    @Test
    void sharedConfigNamesEveryCalledServiceByItsRestClientKey() throws IOException {
        Map<String, String> config = find(resources(), ConfigMap.class, "chat-config").getData();
        for (String name : SERVICES) {
            String key = "QUARKUS_REST_CLIENT_" + name.toUpperCase().replace('-', '_') + "_URL";
            // presence-service is called by nobody: no service has a client for it
            assertEquals(name.equals("presence-service") ? null : "http://" + name + ":8080", config.get(key), key);
        }
        assertNotNull(config.get("QUARKUS_REDIS_HOSTS"));
        assertNotNull(config.get("QUARKUS_MONGODB_CONNECTION_STRING"));
    }

    private static Map<String, String> filter(Map<String, String> labels, Map<String, String> keys) {
        Map<String, String> picked = new java.util.HashMap<>();
        keys.keySet().forEach(k -> picked.put(k, labels.get(k)));
        return picked;
    }

    private static <T extends HasMetadata> T find(List<HasMetadata> all, Class<T> type, String name) {
        return all.stream().filter(type::isInstance).map(type::cast).filter(r -> name.equals(r.getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    private static List<HasMetadata> resources() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        try (Stream<Path> files = Stream.concat(Files.list(K8S.resolve("base")), Stream.of(K8S.resolve("overlays/local/infra.yaml")))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") && !f.endsWith("kustomization.yaml")).toList()) {
                for (String document : Files.readString(file).split("(?m)^---\\s*$")) {
                    if (!document.isBlank()) {
                        all.add(Serialization.unmarshal(document, HasMetadata.class));
                    }
                }
            }
        }
        return all;
    }
}
