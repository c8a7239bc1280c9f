package dev.chatlayer.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
