package kitsune.frontend.thrift.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.security.sasl.SaslException;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.thrift.PlainCredentials;

/**
 * TCLIService over HTTP, as Hive JDBC speaks it with transportMode=http: each POST to the path carries one Thrift
 * binary message and gets the reply in its body. The client sends its user and password as HTTP Basic authorization;
 * they are checked as a SASL PLAIN login would be (401 with the reason when refused), and the reply sets a signed
 * cookie that Hive JDBC shows instead on its later requests, so a session costs one login, not one per call. Runs on the
 * JDK's own HTTP server (HTTPS with the frontend's key store when TLS is on), with a bounded pool of worker threads.
 * HTTP has no connections that end, so sessions opened over HTTP close by CloseSession or their idle timeout.
 */
final class ThriftHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(ThriftHttpServer.class);
    private static final int BACKLOG = 128;

    private final FrontendSettings settings;
    private final String bindHost;
    private final int requestedPort;
    private final String path;
    private final PlainCredentials credentials;
    private final TCLIService.Processor<TCLIService.Iface> processor;
    private final ThreadLocal<ClientContext> current = new ThreadLocal<>();
    private final AuthCookies cookies = new AuthCookies(Clock.systemUTC(), Duration.ofHours(1));
    private HttpServer server;
    private ExecutorService workers;

    ThriftHttpServer(FrontendSettings settings, KitsuneConf conf, Supplier<CliBackend> backend,
            PlainCredentials credentials) {
        this.settings = settings;
        String host = conf.get(ConfigKeys.THRIFT_HTTP_BIND_HOST).trim();
        this.bindHost = host.isEmpty() ? conf.get(ConfigKeys.FRONTEND_BIND_HOST).trim() : host;
        this.requestedPort = conf.get(ConfigKeys.THRIFT_HTTP_BIND_PORT);
        this.path = "/" + conf.get(ConfigKeys.THRIFT_HTTP_PATH).trim().replaceAll("^/+", "");
        this.credentials = credentials;
        this.processor = new TCLIService.Processor<>(BackendDispatcher.create(backend, current::get));
    }

    void start() throws FrontendStartException {
        String where = (bindHost.isEmpty() ? "0.0.0.0" : bindHost) + ":" + requestedPort;
        try {
            InetSocketAddress address = bindHost.isEmpty() ? new InetSocketAddress(requestedPort)
                    : new InetSocketAddress(InetAddress.getByName(bindHost), requestedPort);
            if (settings.tls().enabled()) {
                SSLContext tls = settings.tls().context();
                HttpsServer https = HttpsServer.create(address, BACKLOG);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            } else {
                server = HttpServer.create(address, BACKLOG);
            }
        } catch (BindException e) {
            throw new FrontendStartException("Cannot start the Thrift HTTP frontend: " + where + " is not available ("
                    + e.getMessage() + "); set " + ConfigKeys.THRIFT_HTTP_BIND_PORT.name()
                    + " to a free port (0 picks one)", e);
        } catch (IOException e) {
            throw new FrontendStartException("Cannot start the Thrift HTTP frontend on " + where + ": "
                    + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(settings.minWorkers(), settings.maxWorkers(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "kitsune-thrift-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        server.setExecutor(workers);
        server.createContext(path, this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        String host = settings.advertisedHost();
        return "jdbc:hive2://" + host + ":" + port() + "/;transportMode=http;httpPath=" + path.substring(1)
                + (settings.tls().enabled() ? ";ssl=true" : "");
    }

    void stop(Duration timeout) {
        if (server != null) server.stop((int) Math.min(timeout.toSeconds(), 5));
        if (workers != null) workers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String peer = exchange.getRemoteAddress() == null ? "unknown peer"
                : exchange.getRemoteAddress().getAddress().getHostAddress() + ":" + exchange.getRemoteAddress().getPort();
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "text/plain", ("Kitsune's Thrift HTTP endpoint takes POST requests of the Hive "
                        + "JDBC driver (transportMode=http;httpPath=" + path.substring(1) + ")\n")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            String user = cookies.user(exchange.getRequestHeaders().get("Cookie"));
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (user == null && authorization == null
                    && AuthCookies.presented(exchange.getRequestHeaders().get("Cookie"))) {
                // a cookie of another server of the namespace (its session moved here) or of an earlier process:
                // the Hive driver answers a 401 by sending its login again, so the session goes on under that login
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"kitsune\"");
                reply(exchange, 401, "text/plain", "The login cookie is not valid on this server; log in again\n"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (user == null) {
                String[] login = basic(authorization);
                try {
                    credentials.check(login[0], login[1]);
                } catch (SaslException e) {
                    LOG.warn("Refusing HTTP request from {}: {}", peer,
                            e instanceof LoginRefusedException r ? r.detail() : e.getMessage());
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"kitsune\"");
                    reply(exchange, 401, "text/plain", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                user = login[0];
                // later requests of this client show the cookie instead of the password: one login, not one per call
                exchange.getResponseHeaders().add("Set-Cookie", cookies.issue(user, settings.tls().enabled()));
            }
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                reply(exchange, 413, "text/plain", ("A Thrift message above " + ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name()
                        + "=" + settings.maxMessageSize() + " bytes\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            TConfiguration tc = TConfiguration.custom().setMaxMessageSize(settings.maxMessageSize())
                    .setMaxFrameSize(settings.maxMessageSize()).build();
            TMemoryBuffer out = new TMemoryBuffer(tc, 4096);
            current.set(new ClientContext(ClientContext.PER_REQUEST_PREFIX + UUID.randomUUID(), user,
                    exchange.getRemoteAddress() == null ? null : exchange.getRemoteAddress().getAddress().getHostAddress()));
            try {
                processor.process(new TBinaryProtocol(new TMemoryInputTransport(tc, body)), new TBinaryProtocol(out));
            } finally {
                current.remove();
            }
            reply(exchange, 200, "application/x-thrift", out.getArray(), out.length());
        } catch (TException | RuntimeException e) {
            LOG.warn("Closing HTTP request from {}: not a Thrift TCLIService message ({})", peer, e.toString());
            try {
                reply(exchange, 400, "text/plain", "Not a Thrift TCLIService message\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException ignored) {
                // the reply may already have started
            }
        } finally {
            exchange.close();
        }
    }

    /** user and password from "Basic base64(user:password)"; Hive JDBC always sends one (anonymous by default). */
    static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) return new String[] {"anonymous", ""};
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new String[] {"anonymous", ""};
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? new String[] {decoded, ""}
                : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    /** The body, or null when it is larger than the largest message accepted. */
    private byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(settings.maxMessageSize() + 1);
        return body.length > settings.maxMessageSize() ? null : body;
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        reply(exchange, status, type, body, body.length);
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body, int length)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body, 0, length);
        }
    }
}
