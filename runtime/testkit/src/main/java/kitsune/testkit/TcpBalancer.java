package kitsune.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP load balancer on 127.0.0.1 that only forwards bytes, as HAProxy in TCP mode does: each client
 * connection goes to the next backend in turn that accepts a connection (a backend that refuses is skipped), and
 * when either side closes, so does the other. It knows nothing of HTTP, Thrift or sessions.
 */
public final class TcpBalancer implements AutoCloseable {
    private final ServerSocket listener;
    private final List<InetSocketAddress> backends;
    private final AtomicInteger next = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    public TcpBalancer(List<InetSocketAddress> backends) throws IOException {
        this.backends = List.copyOf(backends);
        listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "tcp-balancer-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Client connections forwarded so far. */
    public long connections() {
        return connections.get();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket backend = connectToNextBackend();
            if (backend == null) {
                closeQuietly(client);
                continue;
            }
            connections.incrementAndGet();
            open.add(client);
            open.add(backend);
            pump(client, backend);
            pump(backend, client);
        }
    }

    private Socket connectToNextBackend() {
        for (int i = 0; i < backends.size(); i++) {
            InetSocketAddress target = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
            Socket s = new Socket();
            try {
                s.connect(target, 2000);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException e) {
                closeQuietly(s);
            }
        }
        return null;
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0;) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (SocketException e) {
                // reset or closed by the other pump
            } catch (IOException e) {
                // the connection is over either way
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-balancer-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        open.forEach(TcpBalancer::closeQuietly);
    }
}
