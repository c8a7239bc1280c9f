package dev.chatlayer.testkit.servers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis command over a plain connection of its own (RESP2), for tests that must address one node of a cluster
 * or a server the service's client does not know. Answers: String, Long, List, null; an error answer is thrown.
 */
public final class RedisWire {

    private RedisWire() {
    }

    public static Object call(int port, String... args) {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A subscription of its own to {@code channel} on the node at {@code port} ({@code sharded}: SSUBSCRIBE, as on a
     * cluster); every payload published there lands in {@link Subscription#messages}. Returns once Redis confirmed it.
     */
    public static Subscription subscribe(int port, String channel, boolean sharded) {
        try {
            Socket socket = new Socket("127.0.0.1", port);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String command = sharded ? "SSUBSCRIBE" : "SUBSCRIBE";
            socket.getOutputStream().write(("*2\r\n$" + command.length() + "\r\n" + command + "\r\n$"
                    + channel.getBytes(StandardCharsets.UTF_8).length + "\r\n" + channel + "\r\n").getBytes(StandardCharsets.UTF_8));
            read(in); // the confirmation
            Subscription subscription = new Subscription(socket);
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        List<?> push = (List<?>) read(in);
                        if (push.size() == 3 && String.valueOf(push.get(0)).endsWith("message")) {
                            subscription.messages.add((String) push.get(2));
                        }
                    }
                } catch (IOException | RuntimeException closed) {
                    // closed by the test
                }
            }, "test-subscription-" + channel);
            reader.setDaemon(true);
            reader.start();
            return subscription;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A test's own subscriber connection. */
    public static final class Subscription implements AutoCloseable {

        public final java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        private final Socket socket;

        private Subscription(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IllegalStateException(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                line(in);
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type " + (char) type);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\r') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            bytes.write(b);
        }
        in.read(); // '\n'
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
