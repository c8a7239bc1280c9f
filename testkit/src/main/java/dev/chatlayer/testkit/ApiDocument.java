package dev.chatlayer.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The API description committed in {@code docs/api/<service>.openapi.json} against what the running service serves at
 * {@code /q/openapi}: a change of the API that is not in the committed document fails the service's tests.
 * {@code -Dchat.api-docs.update=true} writes the served document instead (then review the diff and commit it).
 */
public final class ApiDocument {

    public static final String UPDATE_PROPERTY = "chat.api-docs.update";
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private ApiDocument() {
    }

    /** Null when they agree (or the committed one was just written); otherwise what differs, for the failure message. */
    public static String differenceFromCommitted(String service, String served) {
        Path committed = Path.of("..", "docs", "api", service + ".openapi.json");
        try {
            JsonNode servedTree = JSON.readTree(served);
            if (Boolean.getBoolean(UPDATE_PROPERTY)) {
                Files.createDirectories(committed.getParent());
                Files.writeString(committed, JSON.writeValueAsString(JSON.treeToValue(servedTree, Object.class)) + "\n");
                return null;
            }
            if (!Files.exists(committed)) {
                return committed + " is missing: run the tests with -D" + UPDATE_PROPERTY + "=true and commit it";
            }
            JsonNode committedTree = JSON.readTree(Files.readString(committed));
            if (committedTree.equals(servedTree)) {
                return null;
            }
            return "the API served at /q/openapi differs from " + committed + " (first difference at " + firstDifference(committedTree, servedTree, "")
                    + "): describe the change there (-D" + UPDATE_PROPERTY + "=true writes the served one) and commit it";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a reader of the served document would miss, empty when nothing: every request body and every answer with a
     * body has a schema and an example; every example has only the fields its schema names (an example left behind
     * by a renamed field shows here); every 4xx and 5xx is a problem; every {@code Page…} schema has the fields of
     * {@code page}, the record the services answer lists with.
     */
    public static List<String> gaps(String served, Class<? extends Record> page) {
        List<String> gaps = new ArrayList<>();
        try {
            JsonNode api = JSON.readTree(served);
            JsonNode schemas = api.path("components").path("schemas");
            api.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
                if (!METHODS.contains(operation.getKey())) {
                    return;
                }
                String where = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                JsonNode body = operation.getValue().path("requestBody");
                if (!body.isMissingNode()) {
                    body.path("content").fields().forEachRemaining(media -> checkMedia(where + " request", media.getValue(), schemas, gaps));
                }
                operation.getValue().path("responses").fields().forEachRemaining(response -> {
                    String answer = where + " " + response.getKey();
                    JsonNode content = response.getValue().path("content");
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        if (!content.has("application/problem+json")) {
                            gaps.add(answer + ": not described as application/problem+json");
                        }
                    }
                    content.fields().forEachRemaining(media -> checkMedia(answer, media.getValue(), schemas, gaps));
                });
            }));
            List<String> pageFields = Arrays.stream(page.getRecordComponents()).map(RecordComponent::getName).sorted().toList();
            schemas.fields().forEachRemaining(schema -> {
                if (schema.getKey().startsWith("Page")) {
                    List<String> fields = new ArrayList<>();
                    schema.getValue().path("properties").fieldNames().forEachRemaining(fields::add);
                    if (!fields.stream().sorted().toList().equals(pageFields)) {
                        gaps.add("schema " + schema.getKey() + " has " + fields + ", " + page.getSimpleName() + " has " + pageFields);
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return gaps;
    }

    private static void checkMedia(String where, JsonNode media, JsonNode schemas, List<String> gaps) {
        if (!media.has("schema")) {
            gaps.add(where + ": no schema");
        }
        List<JsonNode> examples = new ArrayList<>();
        if (media.has("example")) {
            examples.add(media.get("example"));
        }
        media.path("examples").forEach(example -> examples.add(example.path("value")));
        if (examples.isEmpty()) {
            gaps.add(where + ": no example");
        }
        examples.forEach(example -> checkExample(where, example, media.path("schema"), schemas, gaps));
    }

    /** The example's fields are the schema's (recursively through references and arrays); values are not checked. */
    private static void checkExample(String where, JsonNode example, JsonNode schema, JsonNode schemas, List<String> gaps) {
        if (schema.has("$ref")) {
            schema = schemas.path(schema.get("$ref").asText().replace("#/components/schemas/", ""));
        }
        if (example.isArray() && schema.has("items")) {
            for (JsonNode item : example) {
                checkExample(where, item, schema.get("items"), schemas, gaps);
            }
        } else if (example.isObject() && schema.has("properties")) {
            JsonNode properties = schema.get("properties");
            example.fields().forEachRemaining(field -> {
                if (!properties.has(field.getKey())) {
                    gaps.add(where + ": the example's field " + field.getKey() + " is not in the schema");
                } else {
                    checkExample(where, field.getValue(), properties.get(field.getKey()), schemas, gaps);
                }
            });
            schema.path("required").forEach(required -> {
                if (!example.has(required.asText())) {
                    gaps.add(where + ": the example lacks the required field " + required.asText());
                }
            });
        }
    }

    private static String firstDifference(JsonNode committed, JsonNode served, String path) {
        if (committed.isObject() && served.isObject()) {
            var names = new java.util.TreeSet<String>();
            committed.fieldNames().forEachRemaining(names::add);
            served.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (!committed.has(name) || !served.has(name)) {
                    return path + "/" + name + (committed.has(name) ? " (gone from the service)" : " (new in the service)");
                }
                if (!committed.get(name).equals(served.get(name))) {
                    return firstDifference(committed.get(name), served.get(name), path + "/" + name);
                }
            }
        }
        return path.isEmpty() ? "/" : path;
    }
}
