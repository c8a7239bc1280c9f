package dev.chatlayer.testkit.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.chatlayer.testkit.keys.Tokens;

/**
 * Development only: the web client's files ({@code /} and {@code /web/NAME} from the repository's web/) and a token
 * for any user id, so the page can sign in as anyone. Bound to 127.0.0.1, started by deploy/run-local.sh, reached
 * through the local gateway; tokens at {@code /dev/token?user=ID} ({@code &ttlSeconds=N}, 30 s to 12 h, default
 * 1 h), signed with the local run's dev key, which no deployment trusts. Not in any image or manifest: production
 * tokens come from the identity provider.
 *
 * <p>The files are served from here rather than by nginx because nginx's workers run as another user when it is
 * started as root, and they cannot read a clone in a private directory (root's home, a mktemp dir); this process
 * runs as whoever started the local run.
 */
final class DevWebServer {

    private static final Pattern FILE_NAME = Pattern.compile("[a-z0-9-]+\\.[a-z]+");
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "png", "image/png");

    private DevWebServer() {
    }

    static HttpServer start(int port, PrivateKey key, Path web) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String name = path.equals("/") ? "index.html" : path.startsWith("/web/") ? path.substring(5) : "";
                // one plain file name directly under web/ (checked before it becomes a path): no way out of it
                String extension = name.substring(name.lastIndexOf('.') + 1);
                Path file = FILE_NAME.matcher(name).matches() ? web.resolve(name) : null;
                if (file == null || !TYPES.containsKey(extension) || !Files.isRegularFile(file)) {
                    answer(exchange, 404, "application/problem+json",
                            "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"the web client has / and /web/<file> only\"}");
                    return;
                }
                answer(exchange, 200, TYPES.get(extension), Files.readAllBytes(file));
            });
            server.createContext("/dev/token", exchange -> {
                Map<String, String> query = query(exchange);
                String user = query.getOrDefault("user", "");
                long ttl;
                try {
                    ttl = Long.parseLong(query.getOrDefault("ttlSeconds", "3600"));
                } catch (NumberFormatException e) {
                    ttl = -1;
                }
                if (!USER_ID.matcher(user).matches() || ttl < 30 || ttl > 43_200) {
                    answer(exchange, 400, "application/problem+json", "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
                            + "\"detail\":\"user: 1-128 letters, digits or ._@+- (starting with a letter or digit); ttlSeconds: 30-43200\"}");
                    return;
                }
                answer(exchange, 200, "text/plain", Tokens.mint(key, Tokens.DEFAULT_ISSUER, user, Duration.ofSeconds(ttl)));
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> all = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    all.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return all;
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        answer(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void answer(HttpExchange exchange, int status, String type, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
