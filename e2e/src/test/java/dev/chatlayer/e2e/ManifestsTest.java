package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import dev.chatlayer.testkit.keys.DevKeys;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Every overlay rendered the way an operator applies it ({@code kubectl kustomize}) and each document parsed into
 * fabric8's typed Kubernetes model: a misspelt field lands in "additionalProperties" and fails here. Then what the
 * cluster relies on: probes per the readiness contract, hardened pods, graceful shutdown, autoscaling and disruption
 * budgets, the ingress routes, and who the network policies let reach whom.
 */
class ManifestsTest {

    private static final Path K8S = Path.of("..", "k8s");
    private static final List<String> SERVICES = List.of("conversation-service", "presence-service", "message-service");
    private static final Map<String, String> ROUTES = Map.of("/api/v1/conversations", "conversation-service", "/api/v1/blocks", "conversation-service",
            "/api/v1/presence", "presence-service", "/api/v1/messages", "message-service", "/api/v1/unread", "message-service");
    private static final Set<String> CUSTOM_KINDS = Set.of("ServiceMonitor", "PrometheusRule");

    private static Path rendered;

    /** A copy of k8s/ with the key files an operator supplies (never committed), freshly generated. */
    @BeforeAll
    static void copyWithSecrets() throws IOException {
        rendered = Files.createTempDirectory("k8s-render");
        try (Stream<Path> all = Files.walk(K8S)) {
            for (Path source : all.toList()) {
                Path target = rendered.resolve(K8S.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.toString().endsWith(".pem")) {
                    Files.copy(source, target);
                }
            }
        }
        Path keys = DevKeys.ensure(Files.createTempDirectory("k8s-keys")).getParent();
        for (String overlay : List.of("local", "production")) {
            Path secrets = Files.createDirectories(rendered.resolve("overlays").resolve(overlay).resolve("secrets"));
            Files.copy(keys.resolve(DevKeys.PUBLIC_KEY), secrets.resolve("jwt-publicKey.pem"));
            for (String service : DevKeys.SERVICES) {
                Files.copy(keys.resolve(DevKeys.PRIVATE_KEY), secrets.resolve(service + "-privateKey.pem"));
                Files.copy(keys.resolve(DevKeys.PUBLIC_KEY), secrets.resolve(service + "-publicKey.pem"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "local", "production" })
    void everyDocumentParsesIntoTheTypedModelWithoutUnknownFields(String overlay) throws Exception {
        List<HasMetadata> all = render(overlay);
        assertTrue(all.size() >= 20, overlay + " renders the services and what surrounds them, found " + all.size());
        for (HasMetadata resource : all) {
            assertNotNull(resource.getMetadata().getName(), resource.getKind() + " has a name");
            if (CUSTOM_KINDS.contains(resource.getKind())) {
                assertTrue(resource instanceof GenericKubernetesResource, resource.getKind());
                continue;
            }
            assertFalse(resource instanceof GenericKubernetesResource, "a kind the model does not know: " + resource.getKind());
            assertFalse(Serialization.asYaml(resource).contains("additionalProperties"),
                    "unknown field in " + resource.getKind() + " " + resource.getMetadata().getName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "local", "production" })
    void eachServiceIsProbedHardenedAndShutsDownGracefully(String overlay) throws Exception {
        List<HasMetadata> all = render(overlay);
        for (String name : SERVICES) {
            Deployment deployment = find(all, Deployment.class, name);
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().get(0);
            assertEquals("/q/health/live", container.getLivenessProbe().getHttpGet().getPath(), name);
            assertEquals("/q/health/ready", container.getReadinessProbe().getHttpGet().getPath(), name);
            assertEquals("/q/health/started", container.getStartupProbe().getHttpGet().getPath(), name);
            assertEquals(8080, container.getPorts().get(0).getContainerPort(), name);

            assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), name + ": no service-account token");
            assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), name);
            assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), name);
            assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem(), name);
            assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation(), name);
            assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop(), name);
            // the JVM's in the base; production runs native images and lowers them (its patch selects the Deployments)
            assertEquals(overlay.equals("production") ? "256Mi" : "512Mi", String.valueOf(container.getResources().getLimits().get("memory")),
                    name + ": the overlay's memory limit applies");
            assertEquals(overlay.equals("production") ? "128Mi" : "320Mi", String.valueOf(container.getResources().getRequests().get("memory")),
                    name + ": the overlay's memory request applies");

            assertTrue(pod.getTerminationGracePeriodSeconds() >= 25, name + ": time to drain");
            assertEquals(5L, container.getLifecycle().getPreStop().getSleep().getSeconds(), name + ": preStop");

            assertEquals("IfNotPresent", container.getImagePullPolicy(), name);
            assertFalse(container.getImage().endsWith(":latest") || !container.getImage().contains(":"), name + ": a pinned tag");
            assertEquals(overlay.equals("production"), container.getImage().endsWith("-native"), name + ": native in production");

            String config = container.getEnvFrom().get(0).getConfigMapRef().getName();
            assertTrue(config.matches("chat-config-[a-z0-9]{10}"), name + ": the config's name carries its hash, so a change rolls the pods: " + config);

            Service service = find(all, Service.class, name);
            assertEquals(deployment.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector(), name + " service selects the pods");
            assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal(), name);

            HorizontalPodAutoscaler hpa = find(all, HorizontalPodAutoscaler.class, name);
            assertEquals(name, hpa.getSpec().getScaleTargetRef().getName());
            assertTrue(hpa.getSpec().getMinReplicas() >= (overlay.equals("production") ? 2 : 1), name);
            assertEquals(null, deployment.getSpec().getReplicas(), name + ": the autoscaler owns the replica count");
            PodDisruptionBudget pdb = find(all, PodDisruptionBudget.class, name);
            assertEquals(deployment.getSpec().getSelector().getMatchLabels(), pdb.getSpec().getSelector().getMatchLabels(), name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "local", "production" })
    void eachServiceHoldsItsOwnPrivateKeyAndOnlyItsCallersPublicKeys(String overlay) throws Exception {
        List<HasMetadata> all = render(overlay);
        Map<String, List<String>> callers = Map.of("conversation-service", List.of("message-service", "presence-service"),
                "message-service", List.of("conversation-service"), "presence-service", List.of());
        for (String name : SERVICES) {
            PodSpec pod = find(all, Deployment.class, name).getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().get(0);
            Map<String, String> mounted = new java.util.TreeMap<>(); // mount path -> secret key
            for (var mount : container.getVolumeMounts()) {
                pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName()) && v.getSecret() != null).forEach(v -> {
                    String secret = v.getSecret().getSecretName();
                    assertTrue(secret.startsWith("chat-service-identity-") || secret.startsWith("chat-"), secret);
                    if (secret.startsWith("chat-service-identity-")) {
                        String owner = secret.substring("chat-service-identity-".length()).replaceAll("-[a-z0-9]{10}$", "");
                        assertEquals(1, v.getSecret().getItems().size(), name + " mounts one key of " + owner);
                        mounted.put(mount.getMountPath() + "/" + v.getSecret().getItems().get(0).getPath(),
                                owner + ":" + v.getSecret().getItems().get(0).getKey());
                    }
                });
            }
            Map<String, String> expected = new java.util.TreeMap<>();
            expected.put("/service-keys/" + name + "/privateKey.pem", name + ":privateKey.pem");
            callers.get(name).forEach(caller -> expected.put("/service-keys/" + caller + "/publicKey.pem", caller + ":publicKey.pem"));
            assertEquals(expected, mounted, name + ": its own private key, its callers' public keys, nothing else");
            assertTrue(container.getEnv().stream().anyMatch(e -> e.getName().equals("CHAT_SERVICE_IDENTITY_KEYS_DIR")
                    && e.getValue().equals("/service-keys")), name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "local", "production" })
    void theIngressRoutesThePublicPrefixesOnly(String overlay) throws Exception {
        Ingress ingress = find(render(overlay), Ingress.class, "chat");
        Map<String, String> routes = ingress.getSpec().getRules().stream().flatMap(r -> r.getHttp().getPaths().stream())
                .collect(Collectors.toMap(HTTPIngressPath::getPath, p -> p.getBackend().getService().getName()));
        assertEquals(ROUTES, routes, "no /internal/, no /q/");
        assertEquals("150", ingress.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/proxy-read-timeout"),
                "a socket survives two heartbeat intervals of silence");
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertEquals("100", annotations.get("nginx.ingress.kubernetes.io/limit-rps"), "requests per client address, as the gateway");
        assertEquals("2", annotations.get("nginx.ingress.kubernetes.io/limit-burst-multiplier"), "bursts of 200");
        assertEquals("100", annotations.get("nginx.ingress.kubernetes.io/limit-connections"), "connections per client address");
    }

    @ParameterizedTest
    @ValueSource(strings = { "local" })
    void networkPoliciesLetOnlyTheIngressAndTheServicesThrough(String overlay) throws Exception {
        List<HasMetadata> all = render(overlay);
        List<NetworkPolicy> policies = all.stream().filter(NetworkPolicy.class::isInstance).map(NetworkPolicy.class::cast).toList();
        Map<String, String> service = podLabels(find(all, Deployment.class, "message-service"));
        Map<String, String> redis = find(all, io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "redis").getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> mongo = find(all, io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "mongo").getSpec().getTemplate().getMetadata().getLabels();
        Source ingressController = new Source("ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"));
        Source prometheus = new Source("monitoring", Map.of("app", "prometheus"));
        Source aService = new Source("chat", podLabels(find(all, Deployment.class, "conversation-service")));
        Source strangerInNamespace = new Source("chat", Map.of("app", "debug"));
        Source strangerElsewhere = new Source("default", Map.of("app", "anything"));

        assertTrue(allowed(policies, ingressController, service, 8080), "the ingress reaches the services");
        assertTrue(allowed(policies, prometheus, service, 8080), "Prometheus scrapes /q/metrics");
        assertTrue(allowed(policies, aService, service, 8080), "the services reach each other's /internal/");
        assertTrue(allowed(policies, aService, redis, 6379), "the services reach Redis");
        assertTrue(allowed(policies, aService, mongo, 27017), "the services reach MongoDB");
        assertFalse(allowed(policies, ingressController, redis, 6379), "the ingress does not reach Redis");
        assertFalse(allowed(policies, strangerInNamespace, service, 8080), "another pod of the namespace does not reach the services");
        assertFalse(allowed(policies, strangerInNamespace, redis, 6379), "nor Redis");
        assertFalse(allowed(policies, strangerElsewhere, service, 8080), "a pod of another namespace does not reach the services");
        assertFalse(allowed(policies, strangerElsewhere, mongo, 27017), "nor MongoDB");
    }

    @ParameterizedTest
    @ValueSource(strings = { "production" })
    void theAlertRulesPassPromtool(String overlay) throws Exception {
        GenericKubernetesResource rule = render(overlay).stream().filter(r -> r.getKind().equals("PrometheusRule"))
                .map(GenericKubernetesResource.class::cast).findFirst().orElseThrow(() -> new AssertionError("no PrometheusRule"));
        Object groups = ((Map<?, ?>) rule.getAdditionalProperties().get("spec")).get("groups");
        Path rules = Files.createTempFile("chat-alerts", ".yaml");
        Files.writeString(rules, Serialization.asYaml(Map.of("groups", groups)));
        Process promtool = new ProcessBuilder("promtool", "check", "rules", rules.toString()).redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), "promtool check rules:\n" + output);
        assertTrue(output.contains("SUCCESS: 4 rules found"), output);
    }

    @ParameterizedTest
    @ValueSource(strings = { "production" })
    void everyDashboardQueryIsValidPromQl(String overlay) throws Exception {
        io.fabric8.kubernetes.api.model.ConfigMap dashboard = render(overlay).stream()
                .filter(io.fabric8.kubernetes.api.model.ConfigMap.class::isInstance).map(io.fabric8.kubernetes.api.model.ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().startsWith("chat-dashboard-")).findFirst().orElseThrow();
        assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
        com.fasterxml.jackson.databind.JsonNode panels = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dashboard.getData().get("chat-speed-layer.json")).path("panels");
        List<Map<String, String>> records = new ArrayList<>();
        panels.forEach(panel -> panel.path("targets").forEach(target ->
                records.add(Map.of("record", "chat:dashboard_query_" + records.size(), "expr", target.path("expr").asText()))));
        assertTrue(records.size() >= 8, "the dashboard has its queries");
        // promtool checks PromQL inside rule files: each query as a recording rule
        Path rules = Files.createTempFile("chat-dashboard", ".yaml");
        Files.writeString(rules, Serialization.asYaml(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", records)))));
        Process promtool = new ProcessBuilder("promtool", "check", "rules", rules.toString()).redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), "the dashboard's queries:\n" + output);
    }

    @org.junit.jupiter.api.Test
    void theComposeFileIsValid() throws Exception {
        Process compose = new ProcessBuilder("docker-compose", "-f", Path.of("..", "deploy", "docker-compose.yml").toString(), "config", "--quiet")
                .redirectErrorStream(true).start();
        String output = new String(compose.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(compose.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, compose.exitValue(), "docker-compose config:\n" + output);
    }

    // --- a NetworkPolicy evaluator for ingress rules with matchLabels selectors --------------------------------------

    private record Source(String namespace, Map<String, String> labels) {
    }

    private static boolean allowed(List<NetworkPolicy> policies, Source from, Map<String, String> target, int port) {
        List<NetworkPolicy> selecting = policies.stream().filter(p -> matches(p.getSpec().getPodSelector(), target)).toList();
        if (selecting.isEmpty()) {
            return true;
        }
        for (NetworkPolicy policy : selecting) {
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress() == null ? List.<NetworkPolicyIngressRule>of() : policy.getSpec().getIngress()) {
                boolean portOk = rule.getPorts() == null || rule.getPorts().isEmpty()
                        || rule.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() != null && p.getPort().getIntVal() == port);
                boolean peerOk = rule.getFrom() == null || rule.getFrom().stream().anyMatch(peer -> peerMatches(peer, from));
                if (portOk && peerOk) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean peerMatches(NetworkPolicyPeer peer, Source from) {
        boolean namespaceOk = peer.getNamespaceSelector() == null ? from.namespace().equals("chat")
                : matches(peer.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name", from.namespace()));
        boolean podOk = peer.getPodSelector() == null || matches(peer.getPodSelector(), from.labels());
        return namespaceOk && podOk;
    }

    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        assertTrue(selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty(), "only matchLabels are evaluated here");
        Map<String, String> wanted = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static Map<String, String> podLabels(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getLabels();
    }

    // --- rendering -----------------------------------------------------------------------------------------------------

    private static <T extends HasMetadata> T find(List<HasMetadata> all, Class<T> type, String name) {
        return all.stream().filter(type::isInstance).map(type::cast).filter(r -> name.equals(r.getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    /** {@code kubectl kustomize} of an overlay, each document in the typed model. */
    private static List<HasMetadata> render(String overlay) throws Exception {
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", rendered.resolve("overlays").resolve(overlay).toString())
                .redirectErrorStream(true).start();
        String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize finished");
        assertEquals(0, kubectl.exitValue(), "kubectl kustomize " + overlay + ":\n" + yaml);
        List<HasMetadata> all = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (!document.isBlank()) {
                all.add(Serialization.unmarshal(document, HasMetadata.class));
            }
        }
        return all;
    }
}
