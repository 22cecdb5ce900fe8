package kitsune.frontend.thrift.impl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.security.sasl.SaslException;

import org.ietf.jgss.GSSException;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.internal.kerberos.Spnego;
import kitsune.internal.cookie.AuthCookies;
import kitsune.internal.http.HeaderDeadline;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.metrics.ServerMetrics;
import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.thrift.PlainCredentials;
import kitsune.internal.text.LogText;

/**
 * TCLIService over HTTP, as Hive JDBC speaks it with transportMode=http: each POST to the path carries one Thrift
 * binary message and gets the reply in its body. The client sends its user and password as HTTP Basic authorization;
 * they are checked as a SASL PLAIN login would be (401 when refused). With kyuubi.authentication=KERBEROS it may send
 * a Kerberos token instead (SPNEGO, Authorization: Negotiate), accepted with the keys of kyuubi.spnego.principal; the
 * principal's short name is the user. Either way the reply sets a signed cookie
 * (HttpOnly, SameSite=Strict, Secure with TLS) that Hive JDBC shows instead on its later requests, so a session costs
 * one login, not one per call. HTTP has no connections that end, so sessions opened over HTTP close by CloseSession
 * or their idle timeout.
 *
 * <p>Runs on Jetty (the runtime's Felix HTTP bundle exports it): connections are read by selectors, so an idle or
 * slowly sending client holds no thread, and a connection without traffic for kyuubi.frontend.thrift.http.max.idle.time
 * (also in the middle of a request) is closed. At most kyuubi.frontend.thrift.max.worker.threads requests are served
 * at once, by as many threads, started as needed; one more is answered 503 at once, naming the key, rather than
 * queued. A request's body is read as it arrives, without a thread ({@link Body}): it must be whole within
 * kyuubi.frontend.thrift.login.timeout (else 408) and no larger than kyuubi.frontend.thrift.max.message.size (413 at
 * once for a larger Content-Length, or when a chunked body grows beyond it); only a whole body takes a worker. It binds the configured host (kyuubi.frontend.thrift.http.bind.host, else kyuubi.frontend.bind.host, else
 * this machine's address as Kyuubi does), never every interface unless told to, and speaks TLS with the key store,
 * protocols and cipher suites of the binary port.
 */
final class ThriftHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(ThriftHttpServer.class);
    /** Threads beyond the request workers: Jetty's acceptor and selectors, and room to answer 503s. */
    private static final int ACCEPTORS = 1;
    private static final int SELECTORS = 2;
    private static final int SPARE_THREADS = 4;
    private static final int INITIAL_BODY_BUFFER = 64 * 1024;
    private static final int SPNEGO_HEADER_SIZE = 64 * 1024;
    private static final String NEGOTIATE = Spnego.NEGOTIATE;

    private final FrontendSettings settings;
    private final String bindHost;
    private final int requestedPort;
    private final String path;
    private final Duration idleTimeout;
    private final PlainCredentials credentials;
    private final KerberosIdentity spnego;
    /** Kerberos logins by Negotiate header (not by cookie), for tests and the log. */
    private final AtomicLong negotiations = new AtomicLong();
    private final TCLIService.Processor<TCLIService.Iface> processor;
    private final ThreadLocal<ClientContext> current = new ThreadLocal<>();
    private final AuthCookies cookies;
    /** Requests being served; at most kyuubi.frontend.thrift.max.worker.threads. */
    private final Semaphore serving;
    private Server server;
    private ServerConnector connector;
    private HeaderDeadline headerDeadline;

    ThriftHttpServer(FrontendSettings settings, KitsuneConf conf, Supplier<CliBackend> backend,
            PlainCredentials credentials) throws FrontendStartException {
        this(settings, conf, backend, credentials, Recorder.OFF);
    }

    ThriftHttpServer(FrontendSettings settings, KitsuneConf conf, Supplier<CliBackend> backend,
            PlainCredentials credentials, Supplier<ServerMetrics> metrics) throws FrontendStartException {
        this(settings, conf, backend, credentials, null, metrics);
    }

    /** @param spnego the server's identity for SPNEGO (kyuubi.spnego.*), with kyuubi.authentication=KERBEROS; else null */
    ThriftHttpServer(FrontendSettings settings, KitsuneConf conf, Supplier<CliBackend> backend,
            PlainCredentials credentials, KerberosIdentity spnego, Supplier<ServerMetrics> metrics)
            throws FrontendStartException {
        this.settings = settings;
        this.spnego = spnego;
        String host = conf.get(ConfigKeys.THRIFT_HTTP_BIND_HOST).trim();
        if (host.isEmpty()) host = conf.get(ConfigKeys.FRONTEND_BIND_HOST).trim();
        this.bindHost = host;
        this.requestedPort = conf.get(ConfigKeys.THRIFT_HTTP_BIND_PORT);
        this.path = "/" + conf.get(ConfigKeys.THRIFT_HTTP_PATH).trim().replaceAll("^/+", "");
        this.idleTimeout = conf.get(ConfigKeys.THRIFT_HTTP_MAX_IDLE_TIME);
        this.credentials = credentials;
        try {
            this.cookies = AuthCookies.from(conf, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new FrontendStartException("Cannot start the Thrift HTTP frontend: " + e.getMessage(), e);
        }
        this.processor = new TCLIService.Processor<>(BackendDispatcher.create(backend, current::get, metrics));
        this.serving = new Semaphore(settings.maxWorkers());
    }

    /** The address to bind: the configured one, else this machine's (Kyuubi's default), never all by default. */
    private String bindAddress() throws FrontendStartException {
        if (!bindHost.isEmpty()) return bindHost;
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            throw new FrontendStartException("Cannot start the Thrift HTTP frontend: this machine's host name does "
                    + "not resolve (" + e.getMessage() + "); set " + ConfigKeys.THRIFT_HTTP_BIND_HOST.name(), e);
        }
    }

    void start() throws FrontendStartException {
        String address = bindAddress();
        String where = address + ":" + requestedPort;
        QueuedThreadPool threads = new QueuedThreadPool(settings.maxWorkers() + ACCEPTORS + SELECTORS + SPARE_THREADS,
                Math.min(settings.minWorkers(), settings.maxWorkers()) + ACCEPTORS + SELECTORS, 60_000);
        threads.setName("kitsune-thrift-http");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // a Kerberos ticket with an Active Directory PAC of many groups can be 48 KB (Windows' MaxTokenSize)
        if (spnego != null) http.setRequestHeaderSize(SPNEGO_HEADER_SIZE);
        HttpConnectionFactory plain = new HttpConnectionFactory(http);
        if (settings.tls().enabled()) {
            TlsSettings.Policy tls = settings.tls().policy();
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls.context());
            // exactly the binary port's policy: Jetty's own exclusions would differ from it
            ssl.setExcludeProtocols();
            ssl.setExcludeCipherSuites();
            ssl.setIncludeProtocols(tls.protocols());
            if (tls.cipherSuites() != null) ssl.setIncludeCipherSuites(tls.cipherSuites());
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // clients reach the server by any name or address its certificate has
            http.addCustomizer(secure);
            connector = new ServerConnector(server, ACCEPTORS, SELECTORS, new SslConnectionFactory(ssl, "http/1.1"),
                    plain);
        } else {
            connector = new ServerConnector(server, ACCEPTORS, SELECTORS, plain);
        }
        connector.setHost(address);
        connector.setPort(requestedPort);
        connector.setIdleTimeout(Math.max(1, idleTimeout.toMillis()));
        headerDeadline = new HeaderDeadline(server.getScheduler(), settings.loginTimeout(), "Thrift HTTP");
        connector.addEventListener(headerDeadline);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return ThriftHttpServer.this.handle(request, response, callback);
            }
        });
        server.setErrorHandler(new OneLineErrors());
        server.setStopTimeout(5_000);
        try {
            server.start();
        } catch (java.net.BindException e) {
            stopQuietly();
            throw new FrontendStartException("Cannot start the Thrift HTTP frontend: " + where + " is not available ("
                    + e.getMessage() + "); set " + ConfigKeys.THRIFT_HTTP_BIND_PORT.name()
                    + " to a free port (0 picks one)", e);
        } catch (Exception e) {
            stopQuietly();
            Throwable cause = e instanceof IOException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof java.net.BindException) {
                throw new FrontendStartException("Cannot start the Thrift HTTP frontend: " + where + " is not "
                        + "available (" + cause.getMessage() + "); set " + ConfigKeys.THRIFT_HTTP_BIND_PORT.name()
                        + " to a free port (0 picks one)", e);
            }
            throw new FrontendStartException("Cannot start the Thrift HTTP frontend on " + where + ": " + e, e);
        }
    }

    int port() {
        return connector.getLocalPort();
    }

    /** The address it listens on. */
    String host() {
        return connector.getHost();
    }

    String url() {
        String host = settings.advertisedHost();
        return "jdbc:hive2://" + host + ":" + port() + "/;transportMode=http;httpPath=" + path.substring(1)
                + (settings.tls().enabled() ? ";ssl=true" : "");
    }

    void stop(Duration timeout) {
        if (server == null) return;
        server.setStopTimeout(Math.min(timeout.toMillis(), 5_000));
        stopQuietly();
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the Thrift HTTP frontend failed", e);
        }
    }

    private boolean handle(Request request, Response response, Callback callback) {
        headerDeadline.headerArrived(request.getConnectionMetaData().getRemoteSocketAddress());
        String peer = Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request);
        if (!path.equals(Request.getPathInContext(request))) {
            reply(response, callback, 404, "text/plain", ("Kitsune's Thrift HTTP endpoint is " + path + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            return true;
        }
        if (!"POST".equals(request.getMethod())) {
            reply(response, callback, 405, "text/plain", ("Kitsune's Thrift HTTP endpoint takes POST requests of "
                    + "the Hive JDBC driver (transportMode=http;httpPath=" + path.substring(1) + ")\n")
                    .getBytes(StandardCharsets.UTF_8));
            return true;
        }
        long length = request.getLength();
        if (length > settings.maxMessageSize()) {
            // refused before a byte of the body is read
            LOG.warn("Refusing HTTP request from {}: its body of {} bytes exceeds {}={}", peer, length,
                    ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name(), settings.maxMessageSize());
            replyAndClose(response, callback, 413, tooLarge());
            return true;
        }
        String user;
        if (!checksPasswords()) {
            // kyuubi.authentication=NONE: the login is a name and a cookie, nothing to bound
            user = login(request, response, callback, peer);
        } else if (!serving.tryAcquire()) {
            refuseBusy(response, callback, peer);
            return true;
        } else {
            try {
                // a password (LDAP, JDBC, CUSTOM) or Kerberos check may take its time: it counts as a request served
                user = login(request, response, callback, peer);
            } finally {
                serving.release();
            }
        }
        if (user != null) new Body(request, response, callback, peer, user, length).read();
        return true;
    }

    /** Whether a login here asks an authenticator or Kerberos (anything but kyuubi.authentication=NONE). */
    private boolean checksPasswords() {
        return spnego != null || !"NONE".equals(settings.plainType());
    }

    private String tooLarge() {
        return "A Thrift message above " + ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name() + "=" + settings.maxMessageSize()
                + " bytes\n";
    }

    private void refuseBusy(Response response, Callback callback, String peer) {
        LOG.warn("Refusing HTTP request from {}: {} requests are being served ({})", peer, settings.maxWorkers(),
                ConfigKeys.THRIFT_MAX_WORKERS.name());
        reply(response, callback, 503, "text/plain", ("The server is serving its most requests at once ("
                + ConfigKeys.THRIFT_MAX_WORKERS.name() + "=" + settings.maxWorkers() + "); try again shortly\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The request's user: from its login cookie, else from its Basic credentials, checked (a cookie for later requests
     * is set on the response). Null when the request was answered instead (401).
     */
    private String login(Request request, Response response, Callback callback, String peer) {
        List<String> cookieHeaders = request.getHeaders().getValuesList(HttpHeader.COOKIE);
        String user = cookies.user(cookieHeaders);
        if (user != null) return user;
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null && cookies.presented(cookieHeaders)) {
            // a cookie of another server of the namespace (its session moved here) or of an earlier process:
            // the Hive driver answers a 401 by sending its login again, so the session goes on under that login
            challenge(response);
            reply(response, callback, 401, "text/plain", "The login cookie is not valid on this server; log in "
                    + "again\n");
            return null;
        }
        if (spnego != null) {
            if (Spnego.isNegotiate(authorization)) return negotiate(authorization, response, callback, peer);
            if (authorization == null) {
                // the first request of a SPNEGO client (curl --negotiate, browsers): ask for the login
                challenge(response);
                reply(response, callback, 401, "text/plain", "Log in with Kerberos (Authorization: Negotiate)"
                        + (settings.plain() ? " or a user name and password (Basic)" : "") + "\n");
                return null;
            }
        }
        String[] login = basic(authorization);
        if (LogText.hasControl(login[0])) {
            LOG.warn("Refusing HTTP request from {}: a user name with control characters ('{}')", peer,
                    LogText.of(login[0]));
            challenge(response);
            reply(response, callback, 401, "text/plain", "Invalid user name: a user name may not contain control "
                    + "characters\n");
            return null;
        }
        try {
            credentials.check(login[0], login[1]);
            if (credentials instanceof LoginCheck check) check.audit(null, login[0], peer, null);
        } catch (SaslException e) {
            String detail = e instanceof LoginRefusedException r ? r.detail() : e.getMessage();
            if (credentials instanceof LoginCheck check) check.audit(null, login[0], peer, detail);
            LOG.warn("Refusing HTTP request from {}: {}", peer, LogText.of(detail));
            challenge(response);
            reply(response, callback, 401, "text/plain", e.getMessage() + "\n");
            return null;
        } catch (RuntimeException e) {
            LOG.warn("Checking the login of an HTTP request from {} failed", peer, e);
            reply(response, callback, 500, "text/plain", "The login check failed on the server\n");
            return null;
        }
        // later requests of this client show the cookie instead of the password: one login, not one per call
        response.getHeaders().add(HttpHeader.SET_COOKIE, cookies.issue(login[0], settings.tls().enabled()));
        return login[0];
    }

    /**
     * A Kerberos login by SPNEGO: the token is accepted with the server's keys (kyuubi.spnego.*), the client's
     * principal's short name is the user (as on the binary port), and a cookie is set so that later requests need no
     * new negotiation. A token that is not valid is answered 401 with one log line naming the cause.
     */
    private String negotiate(String authorization, Response response, Callback callback, String peer) {
        Spnego.Outcome outcome;
        try {
            outcome = Spnego.accept(spnego, authorization, ConfigKeys.SPNEGO_KEYTAB.name());
        } catch (RuntimeException e) {
            LOG.warn("Checking the Kerberos (SPNEGO) login of an HTTP request from {} failed", peer, e);
            reply(response, callback, 500, "text/plain", "The login check failed on the server\n");
            return null;
        }
        if (!outcome.accepted()) {
            // a header without a token never reached Kerberos: nothing to audit
            if (outcome.checked()) auditSpnego("?", peer, outcome.refusal());
            LOG.warn("Refusing HTTP request from {}: {}", peer, LogText.of(outcome.refusal()));
            return refuseNegotiation(response, callback);
        }
        String user = outcome.user();
        negotiations.incrementAndGet();
        LOG.debug("Kerberos (SPNEGO) login of {} from {} as {}", outcome.principal(), peer, user);
        if (outcome.reply() != null) response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, outcome.reply());
        auditSpnego(user, peer, null);
        response.getHeaders().add(HttpHeader.SET_COOKIE, cookies.issue(user, settings.tls().enabled()));
        return user;
    }

    /** A SPNEGO login's outcome for the audit log, as the binary port's Kerberos logins: user "?" when unknown. */
    private void auditSpnego(String user, String peer, String refusal) {
        if (credentials instanceof LoginCheck check) check.audit(FrontendSettings.KERBEROS, user, peer, refusal);
    }

    private String refuseNegotiation(Response response, Callback callback) {
        challenge(response);
        reply(response, callback, 401, "text/plain", "Kerberos (SPNEGO) authentication failed\n");
        return null;
    }

    /** The WWW-Authenticate challenges of a 401: Negotiate with Kerberos, Basic with a password type. */
    private void challenge(Response response) {
        if (spnego != null && response.getHeaders().get(HttpHeader.WWW_AUTHENTICATE) == null) {
            response.getHeaders().add(HttpHeader.WWW_AUTHENTICATE, NEGOTIATE);
        }
        if (spnego == null || settings.plain()) {
            response.getHeaders().add(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"kitsune\"");
        }
    }

    /** Kerberos logins by a Negotiate header since the start (later requests of a session show the cookie). */
    long negotiations() {
        return negotiations.get();
    }

    /**
     * Reads a request's body without holding a thread: chunks are taken as they arrive (Jetty calls back when more
     * is there), bounded by kyuubi.frontend.thrift.max.message.size, and the whole body must be there within
     * kyuubi.frontend.thrift.login.timeout (else 408 and the connection is closed). Only then is a worker taken
     * (at most kyuubi.frontend.thrift.max.worker.threads, else 503) to run the call.
     */
    private final class Body implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final String peer;
        private final String user;
        /** Set once, by whichever comes first: the whole body, a failure, too many bytes, or the deadline. */
        private final AtomicBoolean done = new AtomicBoolean();
        private byte[] bytes;
        private int size;
        private Scheduler.Task deadline;

        Body(Request request, Response response, Callback callback, String peer, String user, long length) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.peer = peer;
            this.user = user;
            // grown as bytes arrive: an announced length alone allocates little
            this.bytes = new byte[(int) Math.min(length >= 0 ? length : 8192, INITIAL_BODY_BUFFER)];
        }

        void read() {
            deadline = server.getScheduler().schedule(this::timedOut, settings.loginTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            run();
        }

        /** Takes what has arrived; asks to be called again when more does. */
        @Override
        public void run() {
            while (!done.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    if (finish()) {
                        LOG.debug("HTTP request from {} ended while its body was read: {}", peer, chunk.getFailure());
                        callback.failed(chunk.getFailure());
                    }
                    return;
                }
                boolean last;
                boolean over;
                try {
                    ByteBuffer buffer = chunk.getByteBuffer();
                    int n = buffer.remaining();
                    over = (long) size + n > settings.maxMessageSize();
                    if (!over) {
                        if (size + n > bytes.length) {
                            bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(settings.maxMessageSize(),
                                    Math.max((long) size + n, 2L * bytes.length)));
                        }
                        buffer.get(bytes, size, n);
                        size += n;
                    }
                    last = chunk.isLast();
                } finally {
                    // before any reply: once the response completes, Jetty releases the request's buffer itself
                    chunk.release();
                }
                if (over) {
                    if (finish()) {
                        LOG.warn("Refusing HTTP request from {}: its body exceeds {}={}", peer,
                                ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name(), settings.maxMessageSize());
                        replyAndClose(response, callback, 413, tooLarge());
                    }
                    return;
                }
                if (last) {
                    if (finish()) complete();
                    return;
                }
            }
        }

        private boolean finish() {
            if (!done.compareAndSet(false, true)) return false;
            deadline.cancel();
            return true;
        }

        private void timedOut() {
            if (!finish()) return;
            LOG.warn("Refusing HTTP request from {}: its body did not arrive within {}={} ({} bytes came)", peer,
                    ConfigKeys.THRIFT_LOGIN_TIMEOUT.name(), settings.loginTimeout(), size);
            replyAndClose(response, callback, 408, "The request's body did not arrive within "
                    + ConfigKeys.THRIFT_LOGIN_TIMEOUT.name() + "=" + settings.loginTimeout() + "\n");
        }

        /** The whole body is here: runs the call on this thread (one of Jetty's) if a worker slot is free. */
        private void complete() {
            if (!serving.tryAcquire()) {
                refuseBusy(response, callback, peer);
                return;
            }
            try {
                call(request, response, callback, peer, user, size == bytes.length ? bytes
                        : java.util.Arrays.copyOf(bytes, size));
            } finally {
                serving.release();
            }
        }
    }

    private void call(Request request, Response response, Callback callback, String peer, String user, byte[] body) {
        try {
            TConfiguration tc = TConfiguration.custom().setMaxMessageSize(settings.maxMessageSize())
                    .setMaxFrameSize(settings.maxMessageSize()).build();
            TMemoryBuffer out = new TMemoryBuffer(tc, 4096);
            current.set(new ClientContext(ClientContext.PER_REQUEST_PREFIX + UUID.randomUUID(), user,
                    Request.getRemoteAddr(request)));
            try {
                // malformed bytes are the client's mistake: refused by the binary port's walk, not Thrift's reader
                ThriftMessageDecoder.checkWhole(body, settings.maxMessageSize());
                processor.process(new TBinaryProtocol(new TMemoryInputTransport(tc, body)), new TBinaryProtocol(out));
            } finally {
                current.remove();
            }
            byte[] reply = java.util.Arrays.copyOf(out.getArray(), out.length());
            reply(response, callback, 200, "application/x-thrift", reply);
        } catch (TException | RuntimeException e) {
            if (e instanceof RuntimeException && !(e instanceof ProtocolViolation)) {
                LOG.warn("An HTTP request from {} failed in the frontend", peer, e);
            } else {
                LOG.warn("Refusing HTTP request from {}: not a Thrift TCLIService message ({})", peer,
                        LogText.of(e.toString()));
            }
            try {
                reply(response, callback, 400, "text/plain", "Not a Thrift TCLIService message\n");
            } catch (RuntimeException alreadyCommitted) {
                callback.failed(e);
            }
        }
    }

    /**
     * Requests Jetty refuses before they reach the handler (a malformed request line or header, a bad Host, a header
     * too large) or that fail: one WARN line each, naming the peer and the cause with the client's text escaped
     * (bin/kitsune silences Jetty's own HostPort lines, which quote it as sent).
     */
    private static final class OneLineErrors extends ErrorHandler {
        OneLineErrors() {
            setShowStacks(false);
            setShowCauses(false);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Object message = request.getAttribute(ERROR_MESSAGE);
            Object failure = request.getAttribute(ERROR_EXCEPTION);
            Object status = request.getAttribute(ERROR_STATUS);
            LOG.warn("Refusing HTTP request from {}:{}: {} {}", Request.getRemoteAddr(request),
                    Request.getRemotePort(request), status != null ? status : response.getStatus(),
                    LogText.of(message != null ? message : failure != null ? failure : ""));
            return super.handle(request, response, callback);
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

    private static void reply(Response response, Callback callback, int status, String type, String text) {
        reply(response, callback, status, type, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers and closes the connection: the rest of the request's body is not read. */
    private static void replyAndClose(Response response, Callback callback, int status, String text) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        reply(response, callback, status, "text/plain", text);
    }

    /** Writes the whole reply; the request is complete when it is written (or failed). */
    private static void reply(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
