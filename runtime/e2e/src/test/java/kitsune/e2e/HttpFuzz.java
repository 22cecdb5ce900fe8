package kitsune.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import kitsune.e2e.Recordings.HttpRequest;

/**
 * Ways to spoil HTTP requests of the Thrift HTTP port (each from the case's own Random), and a raw client that sends
 * bytes as they are and reads what comes back.
 */
final class HttpFuzz {
    private HttpFuzz() {
    }

    private static final String[] METHODS = {"GET", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PATCH",
        "post", "P0ST", "POST POST", "", "PRI", "\u00e9POST"};
    private static final String[] PATHS = {"/", "/cliservice/", "/cliservice?x=1", "/cliservice/../cliservice",
        "/%2e%2e/cliservice", "*", "http://evil.example/cliservice", "/cliservice%00", "/cliservice;jsessionid=1",
        "//cliservice", "/CLISERVICE", "cliservice", "/cliservice#x", "/\u0000"};
    private static final String[] VERSIONS = {"HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/1.1x", "", "HTTP/9.9",
        "http/1.1", "HTTP/1.1 extra"};

    /** The request with its login taken away or spoilt (never a valid one). */
    static HttpRequest badLogin(Random r, HttpRequest t, String cookie) {
        HttpRequest bare = t.without("Authorization", "Cookie");
        return switch (r.nextInt(7)) {
            case 0 -> bare;
            case 1 -> bare.with("Authorization", basic("fuzz", "wrong"));
            case 2 -> {
                // the signed cookie with one character changed
                char[] c = cookie.toCharArray();
                int at = cookie.indexOf('=') + 1 + r.nextInt(Math.max(1, c.length - cookie.indexOf('=') - 1));
                c[Math.min(at, c.length - 1)] ^= 1 + r.nextInt(7);
                yield bare.with("Cookie", new String(c));
            }
            case 3 -> bare.with("Authorization", new String[] {"Basic !!!", "Bearer x", "Negotiate abc", "Basic",
                "basic " + Base64.getEncoder().encodeToString("fuzz".getBytes(StandardCharsets.UTF_8)),
                "Basic " + "A".repeat(6000)}[r.nextInt(6)]);
            case 4 -> bare.with("Authorization", basic("eve\n2030-01-01 00:00:00.000 [main] INFO forged", "pw"));
            case 5 -> bare.with("Cookie", cookie.substring(0, cookie.indexOf('=') + 1) + randomToken(r));
            default -> bare.with("Authorization", basic(ProtocolFuzzTest.Mutator.randomText(r), ProtocolFuzzTest.Mutator.randomText(r)));
        };
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A valid login of the recording: its cookie, its Basic credentials, or both as recorded. */
    static HttpRequest goodLogin(Random r, HttpRequest t, String cookie) {
        return switch (r.nextInt(3)) {
            case 0 -> t.without("Authorization").with("Cookie", cookie);
            case 1 -> t.without("Cookie").with("Authorization", basic("fuzz", "pw"));
            default -> t;
        };
    }

    /** The request's wire bytes with one to three HTTP-level faults. */
    static byte[] protocolFault(Random r, HttpRequest t, int maxMessage) {
        String[] line = t.requestLine().split(" ", 3);
        String method = line[0];
        String path = line.length > 1 ? line[1] : "/cliservice";
        String version = line.length > 2 ? line[2] : "HTTP/1.1";
        List<String[]> headers = new ArrayList<>(t.without("Content-Length", "Transfer-Encoding").headers());
        byte[] body = t.body();
        String length = String.valueOf(body.length);
        boolean chunked = false;
        byte[] chunkedBody = null;
        int faults = 1 + r.nextInt(3);
        for (int i = 0; i < faults; i++) {
            switch (r.nextInt(10)) {
                case 0 -> method = METHODS[r.nextInt(METHODS.length)];
                case 1 -> path = r.nextInt(4) == 0 ? "/" + "a".repeat(1000 + r.nextInt(20_000))
                        : PATHS[r.nextInt(PATHS.length)];
                case 2 -> version = VERSIONS[r.nextInt(VERSIONS.length)];
                case 3 -> length = switch (r.nextInt(8)) {
                    case 0 -> String.valueOf(Math.max(0, body.length - 1 - r.nextInt(Math.max(1, body.length))));
                    case 1 -> String.valueOf(body.length + 1 + r.nextInt(1000)); // waits for bytes never sent
                    case 2 -> "-1";
                    case 3 -> "99999999999999999999";
                    case 4 -> "abc";
                    case 5 -> String.valueOf(maxMessage + 1);
                    case 6 -> body.length + ", " + (body.length + 5);
                    default -> " " + body.length + " ";
                };
                case 4 -> {
                    chunked = true;
                    chunkedBody = chunks(r, body, maxMessage);
                }
                case 5 -> headers.add(new String[] {"X-Fuzz-" + i, "v".repeat(1 + r.nextInt(r.nextBoolean() ? 300_000
                        : 9_000))});
                case 6 -> {
                    int n = 10 + r.nextInt(2000);
                    for (int k = 0; k < n; k++) headers.add(new String[] {"X-Many-" + k, "x"});
                }
                case 7 -> headers.add(switch (r.nextInt(7)) {
                    case 0 -> new String[] {"NoColon", null};
                    case 1 -> new String[] {"X-Fold", "a\r\n  folded"};
                    case 2 -> new String[] {"X-Nul", "a\u0000b"};
                    case 3 -> new String[] {"X-Cr", "a\rb"};
                    case 4 -> new String[] {"X-Latin", "\u00ff\u00fe"};
                    case 5 -> new String[] {" Space", "x"};
                    default -> new String[] {"", "empty name"};
                });
                case 8 -> {
                    headers.removeIf(h -> h[0].equalsIgnoreCase("Host"));
                    switch (r.nextInt(4)) {
                        case 0 -> {
                            // none
                        }
                        case 1 -> headers.add(new String[] {"Host", "a b c"});
                        case 2 -> {
                            headers.add(new String[] {"Host", "one"});
                            headers.add(new String[] {"Host", "two"});
                        }
                        default -> headers.add(new String[] {"Host", "[::1"});
                    }
                }
                default -> headers.add(new String[] {"Expect", r.nextBoolean() ? "100-continue" : "nonsense"});
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(method).append(' ').append(path);
        if (!version.isEmpty()) head.append(' ').append(version);
        head.append("\r\n");
        for (String[] h : headers) {
            head.append(h[0]);
            if (h[1] != null) head.append(": ").append(h[1]);
            head.append("\r\n");
        }
        if (chunked) {
            head.append("Transfer-Encoding: ").append(r.nextInt(4) == 0 ? "gzip, chunked" : "chunked").append("\r\n");
            if (r.nextInt(4) == 0) head.append("Content-Length: ").append(length).append("\r\n");
        } else {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(chunked ? chunkedBody : body);
        return out.toByteArray();
    }

    /** A chunked body gone wrong (or right): odd sizes, garbage, too large, no end. */
    private static byte[] chunks(Random r, byte[] body, int maxMessage) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (r.nextInt(6)) {
            case 0 -> {
                // well formed, in pieces
                int at = 0;
                while (at < body.length) {
                    int n = Math.min(body.length - at, 1 + r.nextInt(64));
                    out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, at, n);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                    at += n;
                }
                out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            case 1 -> out.writeBytes(("zz\r\n" + "garbage\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            case 2 -> {
                // announces more than it sends, never ends
                out.writeBytes((Integer.toHexString(body.length + 100) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(body);
            }
            case 3 -> {
                // grows beyond the maximum message size
                int n = 64 * 1024;
                byte[] piece = new byte[n];
                r.nextBytes(piece);
                for (int sent = 0; sent <= maxMessage; sent += n) {
                    out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(piece);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            case 4 -> out.writeBytes(("ffffffffffffffff\r\n" + "x\r\n").getBytes(StandardCharsets.US_ASCII));
            default -> {
                out.writeBytes((Integer.toHexString(body.length) + ";ext=\"\u0001\"\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.writeBytes(body);
                out.writeBytes("\r\n0\r\nTrailer: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    private static String randomToken(Random r) {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(200);
        for (int i = 0; i < n; i++) s.append((char) (33 + r.nextInt(94)));
        return s.toString().replace(";", "").replace(",", "");
    }

    /** What came back for a request. */
    record Reply(int status, byte[] body, boolean closes) {
        static final Reply CLOSED = new Reply(-1, null, true);
        static final Reply WAITING = new Reply(-2, null, false);
    }

    /**
     * Reads one HTTP response within {@code wait}: the status and body (by Content-Length or chunked), CLOSED when the
     * server closed before a whole one, WAITING when it said nothing more within the wait.
     */
    static Reply read(Socket s, InputStream in, Duration wait) throws IOException {
        long end = System.nanoTime() + wait.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int headEnd = -1;
            while (headEnd < 0) {
                if (!readSome(s, in, buf, got, end)) return Reply.CLOSED;
                headEnd = indexOf(got.toByteArray(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            byte[] all = got.toByteArray();
            String head = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1);
            String[] lines = head.split("\r\n");
            String[] status = lines[0].split(" ");
            int code = status.length > 1 ? Integer.parseInt(status[1]) : 0;
            int length = -1;
            boolean chunked = false;
            boolean closes = lines[0].startsWith("HTTP/1.0");
            for (String l : lines) {
                String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) length = Integer.parseInt(l.substring(15).trim());
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
                if (lower.startsWith("connection:") && lower.contains("close")) closes = true;
            }
            int bodyStart = headEnd + 4;
            if (chunked) {
                byte[] zero = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                while (indexOf(got.toByteArray(), zero) < 0 && !got.toString(StandardCharsets.ISO_8859_1)
                        .substring(bodyStart).startsWith("0\r\n\r\n")) {
                    if (!readSome(s, in, buf, got, end)) return new Reply(code, null, true);
                }
                return new Reply(code, null, closes);
            }
            if (length < 0) {
                // no length: the body ends with the connection
                while (readSome(s, in, buf, got, end)) {
                    // read to the end
                }
                return new Reply(code, null, true);
            }
            while (got.size() < bodyStart + length) {
                if (!readSome(s, in, buf, got, end)) return new Reply(code, null, true);
            }
            byte[] body = new byte[length];
            System.arraycopy(got.toByteArray(), bodyStart, body, 0, length);
            return new Reply(code, body, closes);
        } catch (SocketTimeoutException e) {
            return got.size() == 0 ? Reply.WAITING : Reply.WAITING;
        } catch (java.net.SocketException reset) {
            return Reply.CLOSED;
        }
    }

    private static boolean readSome(Socket s, InputStream in, byte[] buf, ByteArrayOutputStream got, long end)
            throws IOException {
        long left = (end - System.nanoTime()) / 1_000_000;
        if (left <= 0) throw new SocketTimeoutException();
        s.setSoTimeout((int) left);
        int n = in.read(buf);
        if (n < 0) return false;
        got.write(buf, 0, n);
        return true;
    }

    static int indexOf(byte[] b, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= b.length; i++) {
            for (int k = 0; k < what.length; k++) if (b[i + k] != what[k]) continue outer;
            return i;
        }
        return -1;
    }
}
