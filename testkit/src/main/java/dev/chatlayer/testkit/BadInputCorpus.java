package dev.chatlayer.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A corpus of bad input run over every endpoint of a service (issue: trust boundaries): malformed JSON, wrong types,
 * huge numbers, unknown fields, 10,000-element arrays, deep nesting, invalid UTF-8, overlong headers, bad ids and
 * cursors, wrong content types, oversized bodies. Each answer must be below 500 and, when it is an error, an
 * {@code application/problem+json} without a stack trace or a class name. {@link #run} answers what went wrong and
 * prints the counts. The only answers allowed to be something else are those of the HTTP codec to a request line or
 * header block over its limits (414, 431): Quarkus has no hook for them, and the gateway in front answers them first.
 */
public final class BadInputCorpus {

    /** Words that only a leaked stack trace, exception or class name would put into an answer. */
    private static final Pattern INTERNALS = Pattern.compile(
            "Exception|\\tat |\\bat [a-z]+\\.[a-z]+|java\\.|javax\\.|jakarta\\.|io\\.quarkus|io\\.vertx|com\\.fasterxml|org\\.jboss|dev\\.chatlayer|com\\.mongodb|io\\.netty");
    private static final int MANY = 10_000;
    private static final int DEEP = 5_000;

    /**
     * One endpoint: {@code path} with valid ids in it, {@code validBody} a JSON object it would take (null for none),
     * {@code queryParams} the names of its query parameters, {@code token} the bearer token it is called with.
     */
    public record Endpoint(String method, String path, String validBody, List<String> queryParams, String token) {
    }

    /** What one endpoint or a whole run answered. */
    public record Report(String service, int endpoints, int cases, Map<Integer, Integer> statuses, List<String> failures) {
        @Override
        public String toString() {
            return "bad-input corpus for " + service + ": " + cases + " cases over " + endpoints + " endpoints, answers by status "
                    + statuses + ", " + failures.size() + " unacceptable";
        }
    }

    private final HttpClient client = newClient();
    /** For requests the codec refuses and then closes the connection of: never reused for the next request. */
    private final HttpClient throwaway = newClient();
    private final String base;

    public BadInputCorpus(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public Report run(String service, List<Endpoint> endpoints) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (Endpoint endpoint : endpoints) {
            for (Case c : cases(endpoint)) {
                cases++;
                try {
                    HttpResponse<String> answer = send(c);
                    statuses.merge(answer.statusCode(), 1, Integer::sum);
                    String problem = c.mayCloseConnection() && (answer.statusCode() == 414 || answer.statusCode() == 431) ? null : judge(answer);
                    if (problem != null) {
                        failures.add(endpoint.method() + " " + endpoint.path() + " with " + c.name() + ": " + problem);
                    }
                } catch (IOException e) {
                    // the HTTP codec refuses an overlong request line or header block before the service sees it, and
                    // may close the connection before its 414/431 is read
                    if (!c.mayCloseConnection()) {
                        failures.add(endpoint.method() + " " + endpoint.path() + " with " + c.name() + ": no answer, " + e);
                    }
                    statuses.merge(0, 1, Integer::sum);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        Report report = new Report(service, endpoints.size(), cases, statuses, failures);
        System.out.println(report);
        failures.forEach(f -> System.out.println("  unacceptable: " + f));
        return report;
    }

    private static String judge(HttpResponse<String> answer) {
        int status = answer.statusCode();
        String body = answer.body() == null ? "" : answer.body();
        if (status >= 500) {
            return "server error " + status + ": " + abbreviate(body);
        }
        if (INTERNALS.matcher(body).find()) {
            return "internals in the answer: " + abbreviate(body);
        }
        if (status >= 400) {
            String type = answer.headers().firstValue("content-type").orElse("");
            if (!type.startsWith("application/problem+json")) {
                return status + " as '" + type + "', not problem+json: " + abbreviate(body);
            }
        }
        return null;
    }

    private HttpResponse<String> send(Case c) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + c.pathAndQuery())).timeout(Duration.ofSeconds(20));
        c.headers().forEach(request::header);
        request.method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()));
        return (c.mayCloseConnection() ? throwaway : client).send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpClient newClient() {
        // HTTP/1.1 as a gateway speaks it to the services (no h2c upgrade)
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private record Case(String name, String method, String pathAndQuery, Map<String, String> headers, byte[] body,
            boolean mayCloseConnection) {
    }

    private static List<Case> cases(Endpoint e) {
        List<Case> cases = new ArrayList<>();
        Map<String, String> json = headers(e.token(), "application/json");
        Map<String, String> noType = headers(e.token(), null);
        String valid = e.validBody();

        // the path: ids that are not ids
        for (String badId : List.of("%FF%FE", "..%2F..%2Fq%2Fhealth", "%00", "x".repeat(3000), "%E2%80%AE", "a%20b", "%7B%7D")) {
            String path = replaceLastSegmentVariable(e.path(), badId);
            if (path != null) {
                cases.add(new Case("path id " + abbreviate(badId), e.method(), path, valid == null ? noType : json, bytes(valid), false));
            }
        }
        // query parameters: garbage, huge numbers, overlong values
        for (String param : e.queryParams()) {
            for (String value : List.of("%FF", "1e400", "99999999999999999999999", "-0", "NaN", "!!!", "x".repeat(3000), "%00", "")) {
                cases.add(new Case("?" + param + "=" + abbreviate(value), e.method(), e.path() + "?" + param + "=" + value,
                        valid == null ? noType : json, bytes(valid), false));
            }
        }
        // what the HTTP codec refuses before any service code runs: a 20 kB request line (414), 40 kB of headers (431)
        cases.add(new Case("a 20 kB request line", e.method(), e.path() + "?pad=" + "x".repeat(20_000), valid == null ? noType : json,
                bytes(valid), true));
        Map<String, String> overlong = new LinkedHashMap<>(valid == null ? noType : json);
        overlong.put("X-Padding", "x".repeat(40_000));
        cases.add(new Case("a 40 kB header", e.method(), e.path(), overlong, bytes(valid), true));
        // a large header the services do take (what the gateway lets through)
        Map<String, String> large = new LinkedHashMap<>(valid == null ? noType : json);
        large.put("X-Padding", "x".repeat(12_000));
        cases.add(new Case("a 12 kB header", e.method(), e.path(), large, bytes(valid), false));
        // headers the service reads: a 6 kB garbage token, a wrong Accept
        Map<String, String> garbageToken = new LinkedHashMap<>(valid == null ? noType : json);
        garbageToken.put("Authorization", "Bearer " + "x.".repeat(3000));
        cases.add(new Case("a 6 kB garbage token", e.method(), e.path(), garbageToken, bytes(valid), false));
        Map<String, String> xmlAccept = new LinkedHashMap<>(valid == null ? noType : json);
        xmlAccept.put("Accept", "application/xml");
        cases.add(new Case("Accept: application/xml", e.method(), e.path(), xmlAccept, bytes(valid), false));

        if (valid == null) {
            // a body where none is expected
            cases.add(new Case("an unexpected JSON body", e.method(), e.path(), json, bytes("{\"x\":1}"), false));
            cases.add(new Case("an unexpected binary body", e.method(), e.path(), headers(e.token(), "application/octet-stream"),
                    new byte[] { (byte) 0xff, 0, (byte) 0xfe }, false));
            return cases;
        }

        // malformed JSON and the wrong kind of document
        for (String body : List.of("{\"a\":", "not json", valid + "}", "{'single':1}", "{\"a\":1,,}", "", "[]", "\"text\"", "123", "true",
                "null", "{}", "{\"a\":\"\\uZZZZ\"}", "{\"a\":01}")) {
            cases.add(new Case("body " + abbreviate(body), e.method(), e.path(), json, bytes(body), false));
        }
        // invalid UTF-8 inside the document
        cases.add(new Case("invalid UTF-8", e.method(), e.path(), json, invalidUtf8(valid), false));
        // nesting and size
        cases.add(new Case("body nested " + DEEP + " deep", e.method(), e.path(), json, bytes("[".repeat(DEEP) + "]".repeat(DEEP)), false));
        cases.add(new Case("body of " + MANY + " elements", e.method(), e.path(), json, bytes(manyStrings()), false));
        cases.add(new Case("a 100 kB body", e.method(), e.path(), json, bytes("{\"a\":\"" + "x".repeat(100_000) + "\"}"), false));
        cases.add(new Case("a number of 2,000 digits", e.method(), e.path(), json, bytes("{\"a\":" + "9".repeat(2000) + "}"), false));
        // each field with the wrong type, huge numbers, and a field nobody knows
        for (String field : topLevelFields(valid)) {
            for (String value : List.of("1", "1e400", "-99999999999999999999999", "\"x\"", "true", "null", "{}", "[]", "[1,2]",
                    manyStrings(), "[".repeat(DEEP) + "]".repeat(DEEP), "\"" + "x".repeat(70_000) + "\"", "\"\\u0000\"", "\"\\ud800\"")) {
                cases.add(new Case(field + "=" + abbreviate(value), e.method(), e.path(), json, bytes(withField(valid, field, value)), false));
            }
        }
        cases.add(new Case("an unknown field", e.method(), e.path(), json, bytes(withField(valid, "unknownField", "1")), false));
        // the right document with the wrong content type
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/json; charset=latin1")) {
            cases.add(new Case("Content-Type " + type, e.method(), e.path(), headers(e.token(), type), bytes(valid), false));
        }
        cases.add(new Case("no Content-Type", e.method(), e.path(), noType, bytes(valid), false));
        return cases;
    }

    private static Map<String, String> headers(String token, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return headers;
    }

    /** {@code path} with its last 24-hex or {@code {…}}-like id segment replaced, or null when it has none. */
    private static String replaceLastSegmentVariable(String path, String replacement) {
        String[] segments = path.split("/");
        for (int i = segments.length - 1; i >= 0; i--) {
            if (segments[i].matches("[0-9a-f]{24}") || segments[i].startsWith("user-")) {
                segments[i] = replacement;
                return String.join("/", segments);
            }
        }
        return null;
    }

    private static List<String> topLevelFields(String object) {
        List<String> fields = new ArrayList<>();
        java.util.regex.Matcher m = Pattern.compile("\"([A-Za-z]+)\"\\s*:").matcher(object);
        while (m.find()) {
            fields.add(m.group(1));
        }
        return fields;
    }

    /** The valid object with {@code field} set to the raw JSON {@code value} (added when absent). */
    private static String withField(String object, String field, String value) {
        String inner = object.trim();
        inner = inner.substring(1, inner.length() - 1).trim();
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<String> it = splitTopLevel(inner).iterator(); it.hasNext();) {
            String pair = it.next();
            int colon = pair.indexOf(':');
            fields.put(pair.substring(0, colon).trim().replace("\"", ""), pair.substring(colon + 1).trim());
        }
        fields.put(field, value);
        StringBuilder out = new StringBuilder("{");
        fields.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return out.append('}').toString();
    }

    private static List<String> splitTopLevel(String inner) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean inString = false;
        int start = 0;
        for (int i = 0; i < inner.length(); i++) {
            char ch = inner.charAt(i);
            if (ch == '"' && (i == 0 || inner.charAt(i - 1) != '\\')) {
                inString = !inString;
            } else if (!inString && (ch == '[' || ch == '{')) {
                depth++;
            } else if (!inString && (ch == ']' || ch == '}')) {
                depth--;
            } else if (!inString && depth == 0 && ch == ',') {
                parts.add(inner.substring(start, i));
                start = i + 1;
            }
        }
        if (!inner.isBlank()) {
            parts.add(inner.substring(start));
        }
        return parts;
    }

    private static String manyStrings() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < MANY; i++) {
            out.append(i == 0 ? "" : ",").append("\"u").append(i).append('"');
        }
        return out.append(']').toString();
    }

    private static byte[] invalidUtf8(String valid) {
        byte[] text = valid.getBytes(StandardCharsets.UTF_8);
        int quote = valid.lastIndexOf('"', valid.length() - 2);
        byte[] out = new byte[text.length + 3];
        System.arraycopy(text, 0, out, 0, quote);
        out[quote] = (byte) 0xc3; // a lead byte without its continuation
        out[quote + 1] = (byte) 0xff;
        out[quote + 2] = (byte) 0xfe;
        System.arraycopy(text, quote, out, quote + 3, text.length - quote);
        return out;
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 37) + "...";
    }
}
