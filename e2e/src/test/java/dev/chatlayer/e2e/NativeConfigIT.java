package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a native image of each service would hold, checked without a native toolchain: the services are built with
 * {@code -Pnative -Dquarkus.native.sources-only=true} (Quarkus writes {@code target/native-sources/}: the
 * native-image arguments and the runner jar with its {@code META-INF/native-image/*-config.json}), then every resource
 * the code reads by name ({@code Resources.text("...")}: the Lua scripts) must be in the resource configuration and
 * every type written or read with an ObjectMapper by hand must be registered for reflection.
 */
class NativeConfigIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Types serialized by hand (not as a REST body, which Quarkus registers itself), per service. */
    private static final Map<String, List<String>> HAND_SERIALIZED = Map.of(
            "conversation-service", List.of("dev.chatlayer.conversation.Conversation"),
            "presence-service", List.of("dev.chatlayer.presence.state.PresenceEvents$PresenceChanged", "dev.chatlayer.presence.state.UserPresence"),
            "message-service", List.of("dev.chatlayer.message.Message", "dev.chatlayer.message.MessageEvents$MessageEvent",
                    "dev.chatlayer.message.MessageEvents$ReadEvent"));
    private static final Pattern RESOURCE_READ = Pattern.compile("Resources\\.text\\(\"([^\"]+)\"\\)");

    @BeforeAll
    static void buildNativeSources() throws Exception {
        Process maven = new ProcessBuilder(ROOT.resolve("mvnw").toString(), "-B", "-q", "package", "-Pnative",
                "-Dquarkus.native.sources-only=true", "-DskipTests", "-pl", "conversation-service,presence-service,message-service", "-am")
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        String output = new String(maven.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(maven.waitFor(10, TimeUnit.MINUTES), "the native-sources build finished");
        assertEquals(0, maven.exitValue(), "the native-sources build:\n" + output);
    }

    @ParameterizedTest
    @ValueSource(strings = { "conversation-service", "presence-service", "message-service" })
    void everyResourceReadByNameIsInTheNativeImage(String service) throws Exception {
        Path sources = ROOT.resolve(service).resolve("target/native-sources");
        assertTrue(Files.readString(sources.resolve("native-image.args")).contains("-H:"), "native-image arguments written");
        JsonNode resources = config(sources, "resource-config.json");
        List<String> patterns = new ArrayList<>();
        resources.path("resources").path("includes").forEach(p -> patterns.add(p.path("pattern").asText()));
        List<String> read = resourcesReadBy(service);
        assertTrue(read.stream().anyMatch(r -> r.endsWith(".lua")), service + " reads its Lua scripts by name");
        for (String resource : read) {
            assertTrue(patterns.stream().anyMatch(resource::matches), service + ": " + resource + " is not in the native image's resources");
        }
        System.out.println("native-sources of " + service + ": " + read.size() + " resources read by name, all included");
    }

    @ParameterizedTest
    @ValueSource(strings = { "conversation-service", "presence-service", "message-service" })
    void everyTypeSerializedByHandIsRegisteredForReflection(String service) throws Exception {
        JsonNode reflection = config(ROOT.resolve(service).resolve("target/native-sources"), "reflect-config.json");
        List<String> registered = new ArrayList<>();
        reflection.forEach(entry -> registered.add(entry.path("name").asText()));
        for (String type : HAND_SERIALIZED.get(service)) {
            assertTrue(registered.contains(type), service + ": " + type + " is serialized by hand but not registered for reflection");
        }
    }

    /** The names the service's code (and service-support's) passes to {@code Resources.text}. */
    private static List<String> resourcesReadBy(String service) throws IOException {
        List<String> names = new ArrayList<>();
        for (String module : List.of(service, "service-support")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = RESOURCE_READ.matcher(Files.readString(file));
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        // service-support's own scripts count only where the service ships them (all of them do: fixed-window.lua)
        return names.stream().distinct().filter(name -> Files.exists(ROOT.resolve(service).resolve("src/main/resources").resolve(name))
                || Files.exists(ROOT.resolve("service-support/src/main/resources").resolve(name))).toList();
    }

    private static JsonNode config(Path nativeSources, String name) throws IOException {
        try (Stream<Path> jars = Files.list(nativeSources)) {
            Path runner = jars.filter(f -> f.toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no runner jar in " + nativeSources));
            try (ZipFile jar = new ZipFile(runner.toFile())) {
                var entry = jar.getEntry("META-INF/native-image/" + name);
                assertTrue(entry != null, name + " in " + runner);
                return JSON.readTree(jar.getInputStream(entry));
            }
        }
    }
}
