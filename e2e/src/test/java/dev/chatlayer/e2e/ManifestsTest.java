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
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import dev.chatlayer.testkit.keys.DevKeys;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Every overlay rendered the way an operator applies it ({@code kubectl kustomize}) and each document parsed into
 * fabric8's typed Kubernetes model: a misspelt field lands in "additionalProperties" and fails here. Then what the
 * cluster relies on: probes as docs/operations.md describes, hardened pods, graceful shutdown, autoscaling and disruption
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
                Files.writeString(secrets.resolve(service + "-redis-hosts"), "rediss://" + service + ":not-a-password@redis-0.test:6380");
                Files.writeString(secrets.resolve(service + "-mongodb-uri"), "mongodb://" + service + ":x@mongo-0.test/chat?tls=true");
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
            Map<String, String> spread = pod.getTopologySpreadConstraints().stream()
                    .collect(Collectors.toMap(c -> c.getTopologyKey(), c -> c.getWhenUnsatisfiable()));
            assertEquals(Map.of("kubernetes.io/hostname", "DoNotSchedule", "topology.kubernetes.io/zone", "ScheduleAnyway"), spread,
                    name + ": replicas on different nodes, and zones where the cluster has them");
            pod.getTopologySpreadConstraints().forEach(c -> assertTrue(c.getMatchLabelKeys().contains("app.kubernetes.io/name")
                    && matches(c.getLabelSelector(), podLabels(deployment)), name + ": spread among its own replicas"));
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
        Peer conversation = pod(find(all, Deployment.class, "conversation-service"));
        Peer message = pod(find(all, Deployment.class, "message-service"));
        Peer presence = pod(find(all, Deployment.class, "presence-service"));
        Peer redis = new Peer("chat", find(all, io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "redis").getSpec().getTemplate().getMetadata().getLabels(), null);
        Peer mongo = new Peer("chat", find(all, io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "mongo").getSpec().getTemplate().getMetadata().getLabels(), null);
        Peer ingressController = new Peer("ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"), null);
        Peer prometheus = new Peer("monitoring", Map.of("app", "prometheus"), null);
        Peer dns = new Peer("kube-system", Map.of("k8s-app", "kube-dns"), null);
        Peer apiServer = new Peer("default", Map.of("component", "apiserver"), null);
        Peer cloudMetadata = new Peer(null, Map.of(), "169.254.169.254");
        Peer strangerInNamespace = new Peer("chat", Map.of("app", "debug"), null);
        Peer strangerElsewhere = new Peer("default", Map.of("app", "anything"), null);

        // in
        assertTrue(allowed(policies, ingressController, message, 8080), "the ingress reaches the services");
        assertTrue(allowed(policies, prometheus, message, 8080), "Prometheus scrapes /q/metrics");
        assertFalse(allowed(policies, ingressController, redis, 6379), "the ingress does not reach Redis");
        assertFalse(allowed(policies, strangerInNamespace, message, 8080), "another pod of the namespace does not reach the services");
        assertFalse(allowed(policies, strangerElsewhere, message, 8080), "a pod of another namespace does not reach the services");
        assertFalse(allowed(policies, strangerElsewhere, mongo, 27017), "nor MongoDB");
        // out: each service to exactly its stores and the siblings it calls, and DNS
        for (Peer service : List.of(conversation, message, presence)) {
            String name = service.labels().get("app.kubernetes.io/name");
            assertTrue(allowed(policies, service, dns, 53), name + " resolves names");
            assertTrue(allowed(policies, service, redis, 6379), name + " reaches Redis");
            assertFalse(allowed(policies, service, cloudMetadata, 80), name + " does not reach the cloud metadata endpoint");
            assertFalse(allowed(policies, service, apiServer, 443), name + " does not reach the Kubernetes API");
            assertFalse(allowed(policies, service, strangerElsewhere, 8080), name + " does not reach other workloads");
        }
        assertTrue(allowed(policies, conversation, mongo, 27017), "conversation-service reaches MongoDB");
        assertTrue(allowed(policies, message, mongo, 27017), "message-service reaches MongoDB");
        assertFalse(allowed(policies, presence, mongo, 27017), "presence-service keeps nothing in MongoDB and does not reach it");
        assertTrue(allowed(policies, message, conversation, 8080), "message-service calls conversation-service");
        assertTrue(allowed(policies, presence, conversation, 8080), "presence-service calls conversation-service");
        assertFalse(allowed(policies, conversation, message, 8080), "conversation-service calls no sibling");
        assertFalse(allowed(policies, presence, message, 8080), "presence-service does not call message-service");
        assertFalse(allowed(policies, strangerInNamespace, redis, 6379), "a stranger in the namespace reaches nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = { "production" })
    void productionTerminatesTlsScalesPresenceOnSocketsAndReachesOnlyItsManagedStores(String overlay) throws Exception {
        List<HasMetadata> all = render(overlay);
        Ingress ingress = find(all, Ingress.class, "chat");
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertEquals("true", annotations.get("nginx.ingress.kubernetes.io/force-ssl-redirect"), "plain HTTP is redirected");
        assertNotNull(annotations.get("cert-manager.io/cluster-issuer"), "cert-manager issues the certificate");
        String host = ingress.getSpec().getRules().get(0).getHost();
        assertEquals(List.of(host), ingress.getSpec().getTls().get(0).getHosts(), "the routed host has its certificate");
        assertEquals("chat-tls", ingress.getSpec().getTls().get(0).getSecretName());

        HorizontalPodAutoscaler presence = find(all, HorizontalPodAutoscaler.class, "presence-service");
        assertTrue(presence.getSpec().getMetrics().stream().anyMatch(m -> "Resource".equals(m.getType())), "on CPU");
        assertTrue(presence.getSpec().getMetrics().stream().anyMatch(m -> "Pods".equals(m.getType())
                && "presence_sockets_open".equals(m.getPods().getMetric().getName())), "and on its open sockets");

        for (String name : SERVICES) {
            String image = find(all, Deployment.class, name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            assertFalse(image.startsWith("chat/"), name + ": an image of a registry this project owns, not docker.io/chat: " + image);
        }

        // each service reaches the stores as its own user, credentials from its own Secret
        for (String name : SERVICES) {
            Map<String, String> fromSecret = find(all, Deployment.class, name).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
                    .stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .collect(Collectors.toMap(e -> e.getName(), e -> e.getValueFrom().getSecretKeyRef().getName().replaceAll("-[a-z0-9]{10}$", "")));
            Map<String, String> expected = new java.util.TreeMap<>(Map.of("QUARKUS_REDIS_HOSTS", "chat-stores-" + name));
            if (!name.equals("presence-service")) {
                expected.put("QUARKUS_MONGODB_CONNECTION_STRING", "chat-stores-" + name);
            }
            assertEquals(expected, new java.util.TreeMap<>(fromSecret), name + ": its store credentials, from its own Secret");
        }

        List<NetworkPolicy> policies = all.stream().filter(NetworkPolicy.class::isInstance).map(NetworkPolicy.class::cast).toList();
        Peer redisNetwork = new Peer(null, Map.of(), "10.20.1.7");
        Peer mongoNetwork = new Peer(null, Map.of(), "10.20.2.7");
        for (String name : SERVICES) {
            Peer service = pod(find(all, Deployment.class, name));
            assertTrue(allowed(policies, service, redisNetwork, 6379), name + " reaches the managed Redis");
            assertEquals(!name.equals("presence-service"), allowed(policies, service, mongoNetwork, 27017), name + " and MongoDB only if it keeps data there");
            assertFalse(allowed(policies, service, new Peer(null, Map.of(), "169.254.169.254"), 80), name + ": no cloud metadata");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "local", "production" })
    void whatTheIngressAnswersItselfIsProblemJson(String overlay) throws Exception {
        List<HasMetadata> all = render(overlay);
        String backend = find(all, Ingress.class, "chat").getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/default-backend");
        Service service = find(all, Service.class, backend);
        Map<String, String> pods = find(all, Deployment.class, backend).getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(pods.entrySet().containsAll(service.getSpec().getSelector().entrySet()), "the default backend's Service selects its pods");
        List<NetworkPolicy> policies = all.stream().filter(NetworkPolicy.class::isInstance).map(NetworkPolicy.class::cast).toList();
        assertTrue(allowed(policies, new Peer("ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"), null), new Peer("chat", pods, null), 8080),
                "the ingress controller reaches it");

        // its nginx configuration, run here with nginx on a free port: the answers a client would get
        String conf = all.stream().filter(io.fabric8.kubernetes.api.model.ConfigMap.class::isInstance).map(io.fabric8.kubernetes.api.model.ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().startsWith("chat-problems-")).findFirst().orElseThrow().getData().get("problems.conf");
        int port = dev.chatlayer.testkit.servers.FreePort.find();
        Path prefix = Files.createTempDirectory("chat-problems");
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("problems.conf"), conf.replace("listen 8080;", "listen 127.0.0.1:" + port + ";"));
        Files.writeString(prefix.resolve("nginx.conf"), "worker_processes 1; pid nginx.pid; error_log logs/error.log; events {}\n"
                + "http { access_log off; client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp;"
                + " scgi_temp_path tmp; include problems.conf; }\n");
        String nginx = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        Process server = new ProcessBuilder(nginx, "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/out.log").toFile()).start();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).ignoreExceptions().until(() -> http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            for (Map.Entry<String, Integer> path : Map.of("/api/v1/messages", 503, "/internal/conversations/x", 404, "/", 404).entrySet()) {
                java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + path.getKey())).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals((int) path.getValue(), answer.statusCode(), path.getKey());
                assertEquals("application/problem+json", answer.headers().firstValue("content-type").orElse(""), path.getKey());
                Map<?, ?> problem = Serialization.unmarshal(answer.body(), Map.class);
                assertEquals(path.getValue(), problem.get("status"), path.getKey() + ": " + answer.body());
            }
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @org.junit.jupiter.api.Test
    void theIngressControllerTakesAnUnreadQueryFor500Conversations() throws Exception {
        Map<?, ?> values = Serialization.unmarshal(Files.readString(K8S.resolve("ingress-nginx").resolve("values.yaml")), Map.class);
        Map<?, ?> config = (Map<?, ?>) ((Map<?, ?>) values.get("controller")).get("config");
        String[] buffers = String.valueOf(config.get("large-client-header-buffers")).split(" ");
        int bufferBytes = Integer.parseInt(buffers[1].replace("k", "")) * 1024;
        String ids = String.join(",", java.util.Collections.nCopies(500, "65f1a2b3c4d5e6f708192a3b"));
        String requestLine = "GET /api/v1/unread?conversationIds=" + ids + " HTTP/1.1";
        assertTrue(requestLine.length() <= bufferBytes, "a " + requestLine.length() + "-byte request line fits a " + bufferBytes + "-byte buffer");
        assertEquals("429", config.get("limit-req-status-code"), "the per-client limits answer 429");
        assertEquals("429", config.get("limit-conn-status-code"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "production" })
    void theAlertRulesPassTheirUnitTestsAndEachHasARunbook(String overlay) throws Exception {
        List<HasMetadata> all = render(overlay);
        GenericKubernetesResource rule = all.stream().filter(r -> r.getKind().equals("PrometheusRule"))
                .map(GenericKubernetesResource.class::cast).findFirst().orElseThrow(() -> new AssertionError("no PrometheusRule"));
        for (String kind : CUSTOM_KINDS) {
            HasMetadata resource = all.stream().filter(r -> r.getKind().equals(kind)).findFirst().orElseThrow();
            assertEquals("kube-prometheus-stack", resource.getMetadata().getLabels().get("release"),
                    kind + " carries the label a stock kube-prometheus-stack selects on");
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<?, ?>) rule.getAdditionalProperties().get("spec")).get("groups");
        Path dir = Files.createTempDirectory("chat-alerts");
        Files.writeString(dir.resolve("chat-alerts.rules.yaml"), Serialization.asYaml(Map.of("groups", groups)));
        Files.copy(K8S.resolve("monitoring").resolve("alerts-test.yaml"), dir.resolve("alerts-test.yaml"));
        String check = promtool(dir, "check", "rules", "chat-alerts.rules.yaml");
        assertTrue(check.contains("SUCCESS: 33 rules found"), check);
        // every alert fires on a series that breaks it and stays silent on one that does not (alerts-test.yaml)
        promtool(dir, "test", "rules", "alerts-test.yaml");

        String tests = Files.readString(dir.resolve("alerts-test.yaml"));
        String operations = Files.readString(Path.of("..", "docs", "operations.md"));
        for (Map<String, Object> group : groups) {
            for (Object entry : (List<?>) group.get("rules")) {
                Map<?, ?> alert = (Map<?, ?>) entry;
                if (alert.get("alert") == null) {
                    continue; // a recording rule
                }
                String name = (String) alert.get("alert");
                assertTrue(tests.contains("alertname: " + name), name + " has a unit test");
                String runbook = (String) ((Map<?, ?>) alert.get("annotations")).get("runbook_url");
                assertTrue(runbook != null && runbook.startsWith("docs/operations.md#"), name + " has a runbook: " + runbook);
                String anchor = runbook.substring(runbook.indexOf('#') + 1);
                assertTrue(operations.lines().anyMatch(line -> line.startsWith("#") && anchorOf(line).equals(anchor)),
                        name + ": docs/operations.md has a section #" + anchor);
            }
        }
    }

    /** The anchor a Markdown heading gets on the code host: lower case, spaces to dashes, punctuation dropped. */
    private static String anchorOf(String heading) {
        return heading.replaceFirst("^#+\\s*", "").toLowerCase().replaceAll("[^a-z0-9 -]", "").trim().replace(' ', '-');
    }

    private static String promtool(Path dir, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process promtool = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
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

    // --- a NetworkPolicy evaluator (matchLabels selectors, ipBlock without except) ---------------------------------

    /** A pod (namespace and labels) or, with {@code ip}, an address outside the cluster. */
    private record Peer(String namespace, Map<String, String> labels, String ip) {
    }

    /** Whether {@code from} may open a connection to {@code to} on {@code port}: the target's ingress and the source's egress. */
    private static boolean allowed(List<NetworkPolicy> policies, Peer from, Peer to, int port) {
        boolean in = !"chat".equals(to.namespace()) || permits(policies, "Ingress", to, from, port);
        boolean out = !"chat".equals(from.namespace()) || permits(policies, "Egress", from, to, port);
        return in && out;
    }

    /** The policies of {@code type} that select {@code subject} permit traffic with {@code other} (none select it: all). */
    private static boolean permits(List<NetworkPolicy> policies, String type, Peer subject, Peer other, int port) {
        List<NetworkPolicy> selecting = policies.stream().filter(p -> types(p).contains(type) && matches(p.getSpec().getPodSelector(), subject.labels()))
                .toList();
        if (selecting.isEmpty()) {
            return true;
        }
        for (NetworkPolicy policy : selecting) {
            List<List<NetworkPolicyPort>> ports = new ArrayList<>();
            List<List<NetworkPolicyPeer>> peers = new ArrayList<>();
            if (type.equals("Ingress") && policy.getSpec().getIngress() != null) {
                policy.getSpec().getIngress().forEach(rule -> { ports.add(rule.getPorts()); peers.add(rule.getFrom()); });
            } else if (type.equals("Egress") && policy.getSpec().getEgress() != null) {
                policy.getSpec().getEgress().forEach(rule -> { ports.add(rule.getPorts()); peers.add(rule.getTo()); });
            }
            for (int i = 0; i < ports.size(); i++) {
                boolean portOk = ports.get(i) == null || ports.get(i).isEmpty()
                        || ports.get(i).stream().anyMatch(p -> p.getPort().getIntVal() != null && p.getPort().getIntVal() == port);
                boolean peerOk = peers.get(i) == null || peers.get(i).isEmpty() || peers.get(i).stream().anyMatch(peer -> peerMatches(peer, other));
                if (portOk && peerOk) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> types(NetworkPolicy policy) {
        if (policy.getSpec().getPolicyTypes() != null && !policy.getSpec().getPolicyTypes().isEmpty()) {
            return policy.getSpec().getPolicyTypes();
        }
        return policy.getSpec().getEgress() == null ? List.of("Ingress") : List.of("Ingress", "Egress");
    }

    private static boolean peerMatches(NetworkPolicyPeer peer, Peer other) {
        if (peer.getIpBlock() != null) {
            return other.ip() != null && inCidr(other.ip(), peer.getIpBlock().getCidr());
        }
        if (other.ip() != null) {
            return false; // selectors name pods, never an address outside the cluster
        }
        boolean namespaceOk = peer.getNamespaceSelector() == null ? other.namespace().equals("chat")
                : matches(peer.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name", other.namespace()));
        boolean podOk = peer.getPodSelector() == null || matches(peer.getPodSelector(), other.labels());
        return namespaceOk && podOk;
    }

    private static boolean inCidr(String ip, String cidr) {
        String[] parts = cidr.split("/");
        long mask = parts[1].equals("0") ? 0 : -1L << (32 - Integer.parseInt(parts[1]));
        return (ipv4(ip) & mask) == (ipv4(parts[0]) & mask);
    }

    private static long ipv4(String address) {
        long value = 0;
        for (String octet : address.split("\\.")) {
            value = value << 8 | Integer.parseInt(octet);
        }
        return value;
    }

    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        assertTrue(selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty(), "only matchLabels are evaluated here");
        Map<String, String> wanted = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static Map<String, String> podLabels(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getLabels();
    }

    private static Peer pod(Deployment deployment) {
        return new Peer("chat", deployment.getSpec().getTemplate().getMetadata().getLabels(), null);
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
