package dev.chatlayer.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/** The benchmarks' calls to the services: JSON with a user's bearer token, over one keep-alive client. */
final class Http {

    private final Vertx vertx;
    private final HttpClient client;

    Http(Vertx vertx, int connections) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(1_000_000));
    }

    /** One request under load: its status once the body has arrived. */
    Future<Integer> request(HttpMethod method, String url, String token, String body) {
        return client.request(options(method, url, token))
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(response -> response.body().map(b -> response.statusCode()));
    }

    /**
     * One request, waited for. Issued on the client's event loop: composed from another thread, the response body
     * can be gone before {@code body()} is asked for (seen as an empty 200).
     */
    Buffer call(HttpMethod method, String url, String token, String body) throws Exception {
        RequestOptions options = options(method, url, token);
        CompletableFuture<Buffer> answer = new CompletableFuture<>();
        vertx.runOnContext(v -> client.request(options)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(response -> response.body().map(b -> {
                    // 409: accepted by an earlier run
                    if (response.statusCode() >= 400 && response.statusCode() != 409) {
                        throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": " + b);
                    }
                    return b;
                }))
                .onComplete(result -> {
                    if (result.succeeded()) {
                        answer.complete(result.result());
                    } else {
                        answer.completeExceptionally(result.cause());
                    }
                }));
        return answer.get(30, TimeUnit.SECONDS);
    }

    private static RequestOptions options(HttpMethod method, String url, String token) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).putHeader("Content-Type", "application/json");
        return token == null ? options : options.putHeader("Authorization", "Bearer " + token);
    }
}
