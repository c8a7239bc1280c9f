package dev.chatlayer.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * docs/api/presence-socket.asyncapi.yaml stays true to the code: every frame type the server sends, every error code
 * and every close reason written in presence-service's sources is in the document, and the client frames it lists
 * are exactly those the server decodes.
 */
class SocketProtocolDocumentTest {

    private static final Path DOCUMENT = Path.of("..", "docs", "api", "presence-socket.asyncapi.yaml");
    private static final Path SOURCES = Path.of("src", "main", "java");

    @Test
    void everyFrameErrorCodeAndCloseReasonOfTheServerIsDocumented() throws IOException {
        String code = sources();
        String document = Files.readString(DOCUMENT);
        JsonNode asyncApi = new ObjectMapper(new YAMLFactory()).readTree(document);
        assertEquals("3.0.0", asyncApi.path("asyncapi").asText());

        Set<String> documentedTypes = new TreeSet<>();
        asyncApi.path("components").path("messages").forEach(m -> documentedTypes.add(m.path("payload").path("properties").path("type").path("const").asText()));
        Set<String> errorCodes = new TreeSet<>();
        asyncApi.path("components").path("messages").path("error").path("payload").path("properties").path("error").path("enum")
                .forEach(e -> errorCodes.add(e.asText()));

        for (String type : found(code, "put\\(\"type\", \"([a-z-]+)\"")) {
            assertTrue(documentedTypes.contains(type), "server frame " + type + " is documented");
        }
        Set<String> errors = found(code, "error\\(socket, \"([a-z-]+)\"");
        errors.addAll(found(code, "Unreadable\\(\"([a-z-]+)\""));
        assertEquals(errors, errorCodes, "the error codes the server sends, exactly");
        for (String reason : found(code, "CloseReason\\([A-Za-z.]+_[A-Z_]+, \"([^\"]+)\"")) {
            assertTrue(document.contains("\"" + reason), "close reason \"" + reason + "\" is documented");
        }
        // the client frames: what ClientFrame decodes (its unknown-type detail lists them)
        Matcher known = Pattern.compile("known: ([a-z, ]+)\"").matcher(code);
        assertTrue(known.find());
        Set<String> clientTypes = new TreeSet<>(Set.of(known.group(1).split(", ")));
        asyncApi.path("operations").path("sendClientFrames").path("messages").forEach(ref ->
                clientTypes.remove(ref.path("$ref").asText().replaceAll(".*/", "")));
        assertTrue(clientTypes.isEmpty(), "client frames decoded but not documented: " + clientTypes);
    }

    private static Set<String> found(String code, String regex) {
        Set<String> all = new TreeSet<>();
        Matcher m = Pattern.compile(regex).matcher(code);
        while (m.find()) {
            all.add(m.group(1));
        }
        assertTrue(!all.isEmpty(), "nothing matched " + regex + ": the test no longer reads the code it documents");
        return all;
    }

    private static String sources() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(file)).append('\n');
            }
        }
        return all.toString();
    }
}
