package dev.chatlayer.testkit.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback between a service and a server, able to black-hole: from {@link #blackHole()} on, every
 * connection through it — open ones and the ones still accepted — carries nothing either way and is never closed, as
 * when a firewall or a NAT drops a connection's state and its packets vanish. A black-holed connection stays dead after
 * {@link #heal()}; only connections made after it work again, so a client recovers only by giving up on the old ones.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean blackHoled;

    private TcpProxy(ServerSocket listener, int targetPort) {
        this.listener = listener;
        this.targetPort = targetPort;
    }

    /** A proxy on a free loopback port to {@code 127.0.0.1:targetPort}. */
    public static TcpProxy to(int targetPort) {
        try {
            ServerSocket listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
            TcpProxy proxy = new TcpProxy(listener, targetPort);
            Thread acceptor = new Thread(proxy::accept, "tcp-proxy-" + listener.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Every open connection goes silent for good; new ones are accepted and stay silent until {@link #heal()}. */
    public void blackHole() {
        blackHoled = true;
        links.forEach(link -> link.dead = true);
    }

    /** Connections made from now on carry traffic again; the black-holed ones stay silent. */
    public void heal() {
        blackHoled = false;
    }

    /** Connections open through the proxy now, silent ones included. */
    public int connections() {
        return links.size();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        links.forEach(Link::close);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                client.setTcpNoDelay(true); // as the services' own sockets: no Nagle delay added by the proxy
                Link link = new Link(client, blackHoled);
                links.add(link);
                if (!link.dead) {
                    link.connect();
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One client connection and its upstream connection. */
    private final class Link {

        private final Socket client;
        private Socket upstream;
        private volatile boolean dead;

        Link(Socket client, boolean dead) {
            this.client = client;
            this.dead = dead;
        }

        void connect() throws IOException {
            upstream = new Socket();
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread pump = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    int read;
                    while ((read = in.read(buffer)) >= 0) {
                        if (dead) {
                            return; // lost, as its packets would be; both sockets stay open and silent
                        }
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                } catch (IOException closed) {
                    // either side went away
                }
                if (!dead) {
                    close(); // a close passes through a healthy link, never through a black-holed one
                }
            }, "tcp-proxy-" + direction);
            pump.setDaemon(true);
            pump.start();
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }

        private void closeQuietly(Socket socket) {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
