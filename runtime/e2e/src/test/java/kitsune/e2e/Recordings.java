package kitsune.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.hive.org.apache.thrift.TBase;
import org.apache.hive.org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.hive.org.apache.thrift.protocol.TMessage;
import org.apache.hive.org.apache.thrift.transport.TMemoryInputTransport;
import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TSessionHandle;

/**
 * Traffic of the real Hive JDBC driver, recorded by a loopback proxy between it and a server, and taken apart into
 * what the fuzz test mutates: SASL negotiation messages and Thrift frames (binary port), HTTP requests (HTTP port);
 * the session and operation handles the server gave the recording client, so that templates can carry other handles.
 */
final class Recordings {
    private Recordings() {
    }

    /** A proxy on 127.0.0.1 for one client connection at a time that keeps both directions' bytes. */
    static final class Proxy implements AutoCloseable {
        private final ServerSocket listener;
        private final int target;
        private final ByteArrayOutputStream up = new ByteArrayOutputStream();
        private final ByteArrayOutputStream down = new ByteArrayOutputStream();
        private final List<Thread> pumps = new ArrayList<>();
        private final Thread acceptor;

        Proxy(int target) throws IOException {
            this.target = target;
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.acceptor = new Thread(this::accept, "recording-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    synchronized (pumps) {
                        pumps.add(pump(client, server, up));
                        pumps.add(pump(server, client, down));
                    }
                }
            } catch (IOException closed) {
                // the proxy is closed
            }
        }

        private static Thread pump(Socket from, Socket to, ByteArrayOutputStream record) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (InputStream in = from.getInputStream()) {
                    OutputStream out = to.getOutputStream();
                    for (int n; (n = in.read(buf)) >= 0;) {
                        synchronized (record) {
                            record.write(buf, 0, n);
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException ended) {
                    // one side closed
                } finally {
                    try {
                        to.shutdownOutput();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            }, "recording-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** What the client sent. Call after the client is closed and {@link #close()}. */
        byte[] clientBytes() {
            synchronized (up) {
                return up.toByteArray();
            }
        }

        byte[] serverBytes() {
            synchronized (down) {
                return down.toByteArray();
            }
        }

        /** Stops accepting and waits for the recorded connections to end (the client has closed its side). */
        @Override
        public void close() throws IOException {
            listener.close();
            List<Thread> all;
            synchronized (pumps) {
                all = new ArrayList<>(pumps);
            }
            for (Thread t : all) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A recorded Thrift call: its method name and its bytes. */
    record Call(String method, byte[] bytes) {
    }

    /** A recorded binary-port session: SASL messages (status, length, payload each) and the framed calls after. */
    record Binary(List<byte[]> saslMessages, List<Call> calls, Handles handles) {
        /** All negotiation messages as the client sent them, back to back. */
        byte[] negotiation() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (byte[] m : saslMessages) b.writeBytes(m);
            return b.toByteArray();
        }
    }

    /** The session and the operation the server gave the recording client. */
    record Handles(TSessionHandle session, TOperationHandle operation) {
    }

    /** Takes apart a recorded binary-port connection (SASL PLAIN, then 4-byte-length frames). */
    static Binary binary(byte[] up, byte[] down) {
        ByteBuffer in = ByteBuffer.wrap(up);
        List<byte[]> sasl = new ArrayList<>();
        int status = 0;
        while (status != 0x05 && in.remaining() >= 5) {
            int at = in.position();
            status = in.get() & 0xff;
            int length = in.getInt();
            in.position(in.position() + length);
            sasl.add(Arrays.copyOfRange(up, at, in.position()));
        }
        List<Call> calls = new ArrayList<>();
        for (byte[] frame : frames(in)) calls.add(new Call(method(frame), frame));
        ByteBuffer out = ByteBuffer.wrap(down);
        // the server's own negotiation message(s) end with COMPLETE
        for (int s = 0; s != 0x05 && out.remaining() >= 5;) {
            s = out.get() & 0xff;
            out.position(out.position() + out.getInt());
        }
        return new Binary(sasl, calls, handles(frames(out)));
    }

    private static List<byte[]> frames(ByteBuffer in) {
        List<byte[]> frames = new ArrayList<>();
        while (in.remaining() >= 4) {
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) break;
            byte[] f = new byte[length];
            in.get(f);
            frames.add(f);
        }
        return frames;
    }

    /** The method name of a strict TBinaryProtocol message, or "?" when it is not one. */
    static String method(byte[] message) {
        try {
            return new TBinaryProtocol(new TMemoryInputTransport(message)).readMessageBegin().name;
        } catch (Exception e) {
            return "?";
        }
    }

    /** The first OpenSession and ExecuteStatement handles in the server's replies. */
    private static Handles handles(List<byte[]> replies) {
        TSessionHandle session = null;
        TOperationHandle op = null;
        for (byte[] reply : replies) {
            try {
                TBinaryProtocol p = new TBinaryProtocol(new TMemoryInputTransport(reply));
                TMessage m = p.readMessageBegin();
                if (m.name.equals("OpenSession") && session == null) {
                    TCLIService.OpenSession_result r = new TCLIService.OpenSession_result();
                    r.read(p);
                    session = r.getSuccess().getSessionHandle();
                } else if (m.name.equals("ExecuteStatement") && op == null) {
                    TCLIService.ExecuteStatement_result r = new TCLIService.ExecuteStatement_result();
                    r.read(p);
                    op = r.getSuccess().getOperationHandle();
                }
            } catch (Exception notAReply) {
                // skipped
            }
        }
        if (session == null || op == null) {
            throw new IllegalStateException("the recording has no OpenSession or ExecuteStatement reply");
        }
        return new Handles(session, op);
    }

    /** A recorded HTTP request: request line, headers (name, value) in order, body. */
    record HttpRequest(String requestLine, List<String[]> headers, byte[] body) {
        String header(String name) {
            for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
            return null;
        }

        String method() {
            return Recordings.method(body);
        }

        /** The request with another body (Content-Length set to match, Transfer-Encoding dropped). */
        HttpRequest withBody(byte[] b) {
            List<String[]> hs = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase("Content-Length") || h[0].equalsIgnoreCase("Transfer-Encoding")) continue;
                hs.add(h);
            }
            hs.add(new String[] {"Content-Length", String.valueOf(b.length)});
            return new HttpRequest(requestLine, hs, b);
        }

        HttpRequest without(String... names) {
            List<String[]> hs = new ArrayList<>();
            outer:
            for (String[] h : headers) {
                for (String n : names) if (h[0].equalsIgnoreCase(n)) continue outer;
                hs.add(h);
            }
            return new HttpRequest(requestLine, hs, body);
        }

        HttpRequest with(String name, String value) {
            List<String[]> hs = new ArrayList<>(without(name).headers);
            hs.add(new String[] {name, value});
            return new HttpRequest(requestLine, hs, body);
        }

        byte[] head() {
            StringBuilder s = new StringBuilder(requestLine).append("\r\n");
            for (String[] h : headers) s.append(h[0]).append(": ").append(h[1]).append("\r\n");
            return s.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        byte[] bytes() {
            byte[] head = head();
            byte[] all = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            return all;
        }
    }

    /** A recorded HTTP-transport session: the requests, and the handles and login cookie the server gave. */
    record Http(List<HttpRequest> requests, Handles handles, String cookie) {
    }

    /** Takes apart a recorded HTTP/1.1 connection (or several, back to back): requests up, responses down. */
    static Http http(byte[] up, byte[] down) {
        List<HttpRequest> requests = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(up);
        for (HttpRequest r; (r = message(in)) != null;) requests.add(r);
        List<byte[]> replies = new ArrayList<>();
        String cookie = null;
        ByteBuffer out = ByteBuffer.wrap(down);
        for (HttpRequest r; (r = message(out)) != null;) {
            replies.add(r.body());
            String set = r.header("Set-Cookie");
            if (set != null && cookie == null) cookie = set.split(";", 2)[0];
        }
        return new Http(requests, handles(replies), cookie);
    }

    /** One HTTP message (request or response) from the buffer, its body by Content-Length or chunked; null at the end. */
    private static HttpRequest message(ByteBuffer in) {
        int start = in.position();
        byte[] all = in.array();
        int end = -1;
        for (int i = start; i + 3 < in.limit(); i++) {
            if (all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) return null;
        String[] lines = new String(all, start, end - start, StandardCharsets.ISO_8859_1).split("\r\n");
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
        }
        in.position(end + 4);
        HttpRequest head = new HttpRequest(lines[0], headers, new byte[0]);
        String length = head.header("Content-Length");
        String te = head.header("Transfer-Encoding");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String size = line(in);
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    line(in);
                    break;
                }
                body.write(all, in.position(), n);
                in.position(in.position() + n);
                line(in);
            }
        } else if (length != null) {
            int n = Integer.parseInt(length.trim());
            body.write(all, in.position(), n);
            in.position(in.position() + n);
        }
        return new HttpRequest(lines[0], headers, body.toByteArray());
    }

    private static String line(ByteBuffer in) {
        StringBuilder s = new StringBuilder();
        while (in.hasRemaining()) {
            char c = (char) (in.get() & 0xff);
            if (c == '\n') break;
            if (c != '\r') s.append(c);
        }
        return s.toString();
    }

    /**
     * The bytes with the recorded handles' identifiers (guid and secret, 16 bytes each) replaced by others': a
     * recorded call made to carry a live session or operation.
     */
    static byte[] substitute(byte[] bytes, THandleIdentifier from, THandleIdentifier to) {
        byte[] b = replace(bytes, from.getGuid(), to.getGuid());
        return replace(b, from.getSecret(), to.getSecret());
    }

    private static byte[] replace(byte[] b, byte[] what, byte[] with) {
        if (what.length != with.length || what.length == 0) return b;
        byte[] out = b.clone();
        for (int i = 0; i + what.length <= out.length; i++) {
            if (Arrays.equals(out, i, i + what.length, what, 0, what.length)) {
                System.arraycopy(with, 0, out, i, with.length);
                i += what.length - 1;
            }
        }
        return out;
    }

    /** The recorded calls carrying the given session and operation (close calls keep the recorded, closed, ones). */
    static List<byte[]> retarget(List<byte[]> calls, Handles recorded, TSessionHandle session, TOperationHandle op,
            boolean closeSession) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] call : calls) {
            String m = method(call);
            byte[] b = call;
            if (session != null && (closeSession || !m.equals("CloseSession"))) {
                b = substitute(b, recorded.session().getSessionId(), session.getSessionId());
            }
            if (op != null && !m.equals("CloseOperation") && !m.equals("CancelOperation")) {
                b = substitute(b, recorded.operation().getOperationId(), op.getOperationId());
            }
            out.add(b);
        }
        return out;
    }

    static <T extends TBase<?, ?>> T decodeResult(byte[] reply, T result) throws Exception {
        TBinaryProtocol p = new TBinaryProtocol(new TMemoryInputTransport(reply));
        p.readMessageBegin();
        result.read(p);
        return result;
    }
}
