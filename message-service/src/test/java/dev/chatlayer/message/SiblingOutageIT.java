package dev.chatlayer.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.servers.FreePort;
import dev.chatlayer.testkit.ProcessTestStores;
import dev.chatlayer.testkit.ServiceProcess;
import dev.chatlayer.testkit.keys.Tokens;

/**
 * conversation-service down for longer than the work stream retries (3 attempts a second apart here; 5 of 30 s by
 * default) while messages are sent: when it comes back, every un-hide and lastMessageAt is right, and nothing that
 * could be applied was dead-lettered.
 */
class SiblingOutageIT {

    private static final Pattern FIELD = Pattern.compile("\"(id|createdAt|lastMessageAt)\":\"([^\"]+)\"");

    @Test
    void activityReportedDuringAnOutageIsAppliedWhenTheServiceReturns() throws Exception {
        ProcessTestStores infra = ProcessTestStores.start();
        Map<String, String> shared = infra.serviceConfig();
        Path conversationJar = Path.of("../conversation-service/target/quarkus-app/quarkus-run.jar");
        int conversationPort = FreePort.find();
        ServiceProcess conversations = ServiceProcess.start(conversationJar, shared, conversationPort);
        Map<String, String> messageConfig = infra.serviceConfig();
        messageConfig.put("quarkus.rest-client.conversation-service.url", conversations.url());
        messageConfig.put("messages.work-claim-idle", "1s");
        messageConfig.put("messages.work-max-attempts", "3");
        messageConfig.put("messages.recovery-after", "3s");
        messageConfig.put("messages.recovery-interval", "500ms");
        ServiceProcess messages = ServiceProcess.start(Path.of("target/quarkus-app/quarkus-run.jar"), messageConfig);
        HttpClient http = HttpClient.newHttpClient();
        try {
            String alice = Tokens.forUser("alice"), bob = Tokens.forUser("bob");
            String chat = field(call(http, "POST", conversations.url() + "/api/v1/conversations", alice, "{\"participantIds\":[\"bob\"]}", 201), "id");
            call(http, "POST", conversations.url() + "/api/v1/conversations/" + chat + "/accept", bob, null, 200);
            call(http, "DELETE", conversations.url() + "/api/v1/conversations/" + chat, bob, null, 204); // bob hides it
            String send = messages.url() + "/api/v1/messages";
            call(http, "POST", send, alice, "{\"conversationId\":\"" + chat + "\",\"content\":\"remembered\"}", 201);

            conversations.stop();
            String last = null;
            for (int i = 0; i < 3; i++) {
                last = field(call(http, "POST", send, alice, "{\"conversationId\":\"" + chat + "\",\"content\":\"during " + i + "\"}", 201),
                        "createdAt");
            }
            String newest = last;
            // longer than the stream's attempts: its entries are handed back to the outbox
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> metric(http, messages.url(), "messages_work_handed_back_total") > 0);
            conversations = ServiceProcess.start(conversationJar, shared, conversationPort);

            String base = conversations.url();
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String list = call(http, "GET", base + "/api/v1/conversations", bob, null, 200);
                assertTrue(list.contains(chat), "a message after bob's deletion brought the conversation back: " + list);
                assertEquals(newest, field(call(http, "GET", base + "/api/v1/conversations/" + chat, bob, null, 200), "lastMessageAt"));
            });
            assertEquals(0.0, metric(http, messages.url(), "messages_work_dead_total"), "nothing dead-lettered");
        } finally {
            messages.stop();
            conversations.stop();
            infra.close();
        }
    }

    private static String call(HttpClient http, String method, String url, String token, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10));
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, answer.statusCode(), answer.body());
        return answer.body();
    }

    private static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new AssertionError("no " + name + " in " + json);
    }

    /** The sum of a counter's series in /q/metrics. */
    private static double metric(HttpClient http, String base, String name) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).header("Accept", "text/plain; version=0.0.4").build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
