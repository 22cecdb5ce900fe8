package kitsune.session.impl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TCancelOperationReq;
import org.apache.hive.service.rpc.thrift.TCancelOperationResp;
import org.apache.hive.service.rpc.thrift.TCloseOperationReq;
import org.apache.hive.service.rpc.thrift.TCloseOperationResp;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TCloseSessionResp;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TGetCatalogsReq;
import org.apache.hive.service.rpc.thrift.TGetCatalogsResp;
import org.apache.hive.service.rpc.thrift.TGetColumnsReq;
import org.apache.hive.service.rpc.thrift.TGetColumnsResp;
import org.apache.hive.service.rpc.thrift.TGetCrossReferenceReq;
import org.apache.hive.service.rpc.thrift.TGetCrossReferenceResp;
import org.apache.hive.service.rpc.thrift.TGetFunctionsReq;
import org.apache.hive.service.rpc.thrift.TGetFunctionsResp;
import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusReq;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TGetPrimaryKeysReq;
import org.apache.hive.service.rpc.thrift.TGetPrimaryKeysResp;
import org.apache.hive.service.rpc.thrift.TGetQueryIdReq;
import org.apache.hive.service.rpc.thrift.TGetQueryIdResp;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataReq;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataResp;
import org.apache.hive.service.rpc.thrift.TGetSchemasReq;
import org.apache.hive.service.rpc.thrift.TGetSchemasResp;
import org.apache.hive.service.rpc.thrift.TGetTableTypesReq;
import org.apache.hive.service.rpc.thrift.TGetTableTypesResp;
import org.apache.hive.service.rpc.thrift.TGetTablesReq;
import org.apache.hive.service.rpc.thrift.TGetTablesResp;
import org.apache.hive.service.rpc.thrift.TGetTypeInfoReq;
import org.apache.hive.service.rpc.thrift.TGetTypeInfoResp;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TSetClientInfoReq;
import org.apache.hive.service.rpc.thrift.TSetClientInfoResp;
import org.apache.hive.service.rpc.thrift.TStatus;
import org.apache.thrift.TException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.EngineException;
import kitsune.api.events.SessionEvent;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;
import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Handles;
import kitsune.thrift.InlineResults;
import kitsune.thrift.Responses;
import kitsune.thrift.Statuses;
import kitsune.thrift.UnsupportedCalls;
import kitsune.internal.text.LogText;
import kitsune.internal.version.Release;

/**
 * The server's sessions. OpenSession routes a session to its engine (found or launched, see {@link EngineLocator})
 * and opens a session there through this server's channel to that engine (a few connections shared by all its
 * sessions there, see {@link EngineChannel}); every later call is forwarded to that engine with the
 * session handle translated, and the engine's answer (results batch by batch, errors as the engine put them) goes
 * back unchanged. Nothing here throws to the frontend: every failure is an error status naming its cause.
 */
public class SessionManagerImpl implements CliBackend, UnsupportedCalls, SessionManager {
    private static final Logger LOG = LoggerFactory.getLogger(SessionManagerImpl.class);
    static final String FETCH_SIZE_KEY = "hive.server2.thrift.resultset.default.fetch.size";
    static final String NULLS_LAST_KEY = "hive.default.nulls.last";
    /** How long a stop waits for the session records still being written or removed, and for closes on engines. */
    private static final Duration RECORDS_AT_STOP = Duration.ofSeconds(10);
    /** How this server names itself in session records. */
    private static final String SERVER_NAME = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();

    @FunctionalInterface
    interface SessionCall<R> {
        R on(TCLIService.Client client, TSessionHandle engineSession) throws TException;
    }

    private final EngineLocator locator;
    private final Clock clock;
    /** This server's release, for GetInfo answered here. */
    private final String release = Release.of(SessionManagerImpl.class);
    private final InlineAnswers inlineAnswers = new InlineAnswers();
    private final EngineChannels channels = new EngineChannels();
    private final SessionContinuity continuity;
    private final SessionLimiter limiter = new SessionLimiter();
    private final BackgroundCloses closes = new BackgroundCloses();
    private final PendingStatements pendingStatements = new PendingStatements();
    private volatile KitsuneConf conf = KitsuneConf.empty();
    private final DrainAdmission drain = new DrainAdmission();
    private final SessionRegistry registry;
    private final StatementLedger statements;
    private final EngineBinder binder;
    private final IdleReaper reaper;
    private final SessionsView view;

    public SessionManagerImpl(EngineLocator locator, Clock clock) {
        this.locator = locator;
        this.clock = clock;
        this.continuity = new SessionContinuity(locator, channels, clock, SERVER_NAME);
        this.registry = new SessionRegistry(continuity, drain, () -> conf, clock);
        this.statements = new StatementLedger(locator, clock);
        this.binder = new EngineBinder(locator, channels);
        this.reaper = new IdleReaper(registry, statements, channels, closes, () -> conf, clock, this::close);
        this.view = new SessionsView(registry, drain, this::close);
    }

    /** The server configuration; a change applies to sessions opened from now on. */
    public void configure(KitsuneConf serverConf) {
        this.conf = serverConf;
    }

    /** Starts the idle-session checker. */
    public synchronized void start() {
        continuity.start();
        closes.start();
        binder.start(conf.get(ConfigKeys.ENGINE_LAUNCH_ASYNC_THREADS));
        reaper.start();
    }

    /** Stops the checker and closes every session (their engines keep running for other servers and sessions). */
    public synchronized void shutdown() {
        reaper.stop();
        new ArrayList<>(registry.all()).forEach(s -> close(s, "the session service stops"));
        binder.stop();
        continuity.stop(RECORDS_AT_STOP);
        closes.stop(RECORDS_AT_STOP);
        channels.closeAll();
    }

    /** Connections this server holds open to engines (in use or idle). */
    int engineConnections() {
        return channels.openConnections();
    }

    /** Calls waiting for a connection to their engine. */
    int engineCallsWaiting() {
        return channels.waitingCalls();
    }

    /** See {@link IdleReaper#closeIdleOperations}. */
    void closeIdleOperations() {
        reaper.closeIdleOperations();
    }

    /** See {@link IdleReaper#closeIdleSessions}. */
    void closeIdleSessions() {
        reaper.closeIdleSessions();
    }

    /** See {@link SessionContinuity#sweep}; not while draining. */
    void sweepRecords() {
        registry.sweepRecords();
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public TOpenSessionResp openSession(ClientContext context, TOpenSessionReq req) {
        return drain.admit(() -> open(context, req),
                refused -> Responses.withStatus(TOpenSessionResp.class, Statuses.error(refused, "08S01")));
    }

    private TOpenSessionResp open(ClientContext context, TOpenSessionReq req) {
        TProtocolVersion protocol = Protocols.negotiate(req.getClient_protocol());
        String login = firstNonBlank(context == null ? null : context.user(), req.getUsername(), "anonymous");
        String user = login;
        String from = context == null ? "?" : context.clientAddress();
        UUID id = UUID.randomUUID();
        SessionLimiter.Permit permit = null;
        boolean held = false;
        try {
            UserNames.check(login);
            Optional<String> proxy = ProxyUsers.requested(req.getConfiguration());
            if (proxy.isPresent() && !proxy.get().equals(login)) {
                UserNames.check(proxy.get());
                try {
                    ProxyUsers.authorize(conf, login, proxy.get(), from);
                } catch (ConfigException refused) {
                    LOG.warn("Cannot open a session for {} from {}: {}", UserNames.printable(login), from,
                            refused.getMessage());
                    return Responses.withStatus(TOpenSessionResp.class, Statuses.error(refused.getMessage(),
                            Statuses.NOT_ALLOWED));
                }
                LOG.info("{} from {} opens a session as {}", login, from, proxy.get());
                user = proxy.get();
            }
            permit = limiter.acquire(conf, user, context == null ? null : context.clientAddress());
            // Kyuubi's layering: server defaults < the user's ___user___.key defaults < the session's own settings
            KitsuneConf userConf = conf.forUser(user);
            Map<String, String> clientConf = ConfNormalizer.screen(req.getConfiguration(), userConf);
            KitsuneConf sessionConf = userConf.with(ConfNormalizer.overrides(clientConf));
            ConfNormalizer.checkWithinServerLimits(userConf, sessionConf, clientConf);
            EngineBinder.Route route = binder.route(sessionConf, user, id);
            if (sessionConf.get(ConfigKeys.ENGINE_LAUNCH_ASYNC) && (context == null || !context.perRequest())
                    && binder.running()) {
                binder.refuseOverQuota(route, sessionConf);
                ServerSession s = new ServerSession(id, user, login, context, null, null, clock.instant());
                s.holdPermit(permit);
                s.queryTimeout(QueryTimeouts.bound(userConf, sessionConf));
                s.serverAnswersInfo(ServerInfo.answeredByServer(sessionConf));
                s.engineSpace(route.space().path());
                s.bindWait(bindWait(sessionConf));
                s.clientProtocol(protocol);
                registry.add(s);
                held = true;
                try {
                    s.binding(binder.submit(() -> bindInBackground(s, route, sessionConf, clientConf, protocol,
                            from)));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    close(s, null);
                    return Responses.withStatus(TOpenSessionResp.class,
                            Statuses.error("The session service is stopping; connect again", "08S01"));
                }
                LOG.info("Opened session {} for {} from {}; its engine ({}) is found or launched in the background "
                        + "({})", id, user, from, route.space().path(), ConfigKeys.ENGINE_LAUNCH_ASYNC.name());
                TOpenSessionResp resp = new TOpenSessionResp(Statuses.ok(), protocol);
                resp.setSessionHandle(s.handle());
                resp.setConfiguration(clientConfiguration(null, sessionConf));
                return resp;
            }
            EngineBinder.Binding b = binder.bind(route, sessionConf, clientConf, protocol, user, id);
            ServiceNode node = b.node();
            EngineSpace space = b.space();
            TProtocolVersion agreed = Protocols.min(protocol, b.engineProtocol());
            ServerSession s = new ServerSession(id, user, login, context, b.engine(), b.engineHandle(),
                    clock.instant());
            s.engineSaysResultEnd(b.resultEndExact());
            s.engineInlines(b.inlineResults());
            s.holdPermit(permit);
            s.queryTimeout(QueryTimeouts.bound(userConf, sessionConf));
            s.serverAnswersInfo(ServerInfo.answeredByServer(sessionConf));
            continuity.opened(s, SessionRecords.Entry.of(user, login, node.host(), node.port(),
                    node.attributes().getOrDefault(EngineConf.NODE_AUTH, ""), space.path(),
                    b.engineHandle(), agreed, SERVER_NAME, s.handle()));
            s.engineSpace(space.path());
            registry.add(s);
            held = true;
            if (s.firstOpenedLog()) locator.events().sessionOpened(sessionEvent(s, -1, null));
            LOG.info("Opened session {} for {} from {} on engine {} ({})", id, user, from, node.hostPort(),
                    space.path());
            TOpenSessionResp resp = new TOpenSessionResp(Statuses.ok(), agreed);
            resp.setSessionHandle(s.handle());
            resp.setConfiguration(clientConfiguration(b.engineConfiguration(), sessionConf));
            return resp;
        } catch (EngineBinder.Refused e) {
            return Responses.withStatus(TOpenSessionResp.class, e.status());
        } catch (ConfigException e) {
            // a setting of the client's own: its SQL state says so (the REST API answers 400 for it)
            LOG.warn("Cannot open a session for {} from {}: {}", UserNames.printable(user), from, e.getMessage());
            return Responses.withStatus(TOpenSessionResp.class, Statuses.error(e.getMessage(),
                    Statuses.INVALID_SETTING));
        } catch (EngineException | DiscoveryException | EngineCallException
                | IllegalArgumentException | SessionRefusedException e) {
            LOG.warn("Cannot open a session for {} from {}: {}", UserNames.printable(user), from, e.getMessage());
            return Responses.withStatus(TOpenSessionResp.class, Statuses.error(e.getMessage()));
        } finally {
            if (!held && permit != null) permit.release();
        }
    }

    /**
     * How long a call of an asynchronously bound session waits for its engine: the launch's own bound
     * (kyuubi.session.engine.initialize.timeout, and a tenth more for the launch lock) and the engine login, so that
     * a launch that fails or times out reaches the call with its own message.
     */
    private static Duration bindWait(KitsuneConf sessionConf) {
        Duration init = sessionConf.get(ConfigKeys.ENGINE_INIT_TIMEOUT);
        return init.plus(init.dividedBy(10)).plus(sessionConf.get(ConfigKeys.ENGINE_LOGIN_TIMEOUT).multipliedBy(2));
    }

    /** Finds or launches the engine of a session opened with kyuubi.session.engine.launch.async, and binds it. */
    private void bindInBackground(ServerSession s, EngineBinder.Route route, KitsuneConf sessionConf,
            Map<String, String> clientConf, TProtocolVersion protocol, String from) {
        try {
            EngineBinder.Binding b = binder.bind(route, sessionConf, clientConf, protocol, s.user(), s.id(),
                    s::bindingNote);
            ServiceNode node = b.node();
            TProtocolVersion agreed = Protocols.min(protocol, b.engineProtocol());
            s.engineSaysResultEnd(b.resultEndExact());
            s.engineInlines(b.inlineResults());
            boolean kept = s.bindTo(b.engine(), b.engineHandle(), () -> continuity.opened(s,
                    SessionRecords.Entry.of(s.user(), s.login(), node.host(), node.port(),
                            node.attributes().getOrDefault(EngineConf.NODE_AUTH, ""), b.space().path(),
                            b.engineHandle(), agreed, SERVER_NAME, s.handle())));
            if (!kept) {
                LOG.info("Session {} of {} was closed before its engine {} was ready: closing its session there",
                        s.id(), s.user(), node.hostPort());
                closeOnEngine(s.id(), b.engine(), b.engineHandle());
                return;
            }
            if (s.firstOpenedLog()) locator.events().sessionOpened(sessionEvent(s, -1, null));
            LOG.info("Session {} for {} from {} is on engine {} ({})", s.id(), s.user(), from, node.hostPort(),
                    b.space().path());
        } catch (EngineBinder.Refused e) {
            bindingFailed(s, from, e.status());
        } catch (ConfigException | EngineException | DiscoveryException | EngineCallException
                | IllegalArgumentException e) {
            bindingFailed(s, from, Statuses.error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("Binding session {} of {} to its engine failed", s.id(), s.user(), e);
            bindingFailed(s, from, Statuses.error("Binding the session to its engine failed: " + e));
        }
    }

    private void bindingFailed(ServerSession s, String from, TStatus status) {
        // an engine's message may span lines (Spark's do): one log line, escaped
        LOG.warn("Cannot bind session {} of {} from {} to an engine: {}", s.id(), UserNames.printable(s.user()), from,
                LogText.of(status.getErrorMessage()));
        s.bindingFailed(status);
        if (s.firstOpenedLog()) locator.events().sessionOpened(sessionEvent(s, -1, null));
    }

    /**
     * The engine of a session, once bound: an asynchronously bound session waits for its binding (bounded by
     * {@link ServerSession#bindWait}).
     *
     * @throws ServerSession.BindingFailed with the status the call answers with
     */
    private static EngineChannel awaitEngine(ServerSession s) {
        EngineChannel engine = s.engine();
        if (engine != null) return engine;
        Duration wait = s.bindWait();
        try {
            s.bound().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ServerSession.BindingFailed failed) throw failed;
            throw new ServerSession.BindingFailed(Statuses.error("Binding the session to its engine failed: "
                    + e.getCause()));
        } catch (java.util.concurrent.TimeoutException e) {
            String key = ConfigKeys.ENGINE_INIT_TIMEOUT.name();
            throw new ServerSession.BindingFailed(Statuses.error("The engine of session " + s.id() + " is not ready "
                    + "after " + wait.toMillis() + " ms (bounded by " + key + "); it is still being found or launched: "
                    + "run the statement again later, or raise " + key));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerSession.BindingFailed(Statuses.error("Interrupted while waiting for the session's engine"));
        }
        return s.engine();
    }

    private void closeOnEngine(UUID id, EngineChannel engine, TSessionHandle engineHandle) {
        TCloseSessionReq closeReq = new TCloseSessionReq(engineHandle);
        closes.submit("Closing session " + id + " on its engine", () -> {
            TStatus status = engine.close("CloseSession", conf.get(ConfigKeys.ENGINE_LOGIN_TIMEOUT),
                    c -> c.CloseSession(closeReq)).getStatus();
            if (!Statuses.isOk(status)) {
                LOG.warn("Session {}: its engine answered CloseSession with {}", id, status.getErrorMessage());
            }
        });
    }

    /** The session as the audit and event logs see it; {@code end} is -1 while it is open. */
    private static SessionEvent sessionEvent(ServerSession s, long end, String reason) {
        return new SessionEvent(s.id().toString(), s.user(), s.login(),
                s.client() == null ? null : s.client().clientAddress(), s.engineSpace(),
                s.engine() == null ? null : s.engine().hostPort(),
                s.opened().toEpochMilli(), end, s.statementsRun(), reason);
    }

    /**
     * What the client reads from OpenSession: the engine's answer plus the two keys Hive JDBC needs (without them
     * it fails or guesses), as HiveServer2 sends them.
     */
    private static Map<String, String> clientConfiguration(Map<String, String> engineConf, KitsuneConf sessionConf) {
        Map<String, String> m = new HashMap<>(engineConf == null ? Map.of() : engineConf);
        m.remove(EngineConf.RESULT_END_EXACT); // between engine and server only
        m.remove(EngineConf.INLINE_RESULTS);
        m.putIfAbsent(FETCH_SIZE_KEY, String.valueOf(sessionConf.get(ConfigKeys.SESSION_FETCH_SIZE)));
        Integer fetchLimit = sessionConf.get(ConfigKeys.LIMIT_CLIENT_FETCH_MAX_ROWS);
        if (fetchLimit != null && fetchLimit > 0) {
            // a driver that follows the suggestion never asks for more rows than the server allows
            try {
                if (Integer.parseInt(m.get(FETCH_SIZE_KEY).trim()) > fetchLimit) {
                    m.put(FETCH_SIZE_KEY, String.valueOf(fetchLimit));
                }
            } catch (NumberFormatException e) {
                m.put(FETCH_SIZE_KEY, String.valueOf(fetchLimit));
            }
        }
        m.putIfAbsent(NULLS_LAST_KEY, "false"); // Spark puts NULLs first in ascending order
        return m;
    }

    @Override
    public TCloseSessionResp CloseSession(TCloseSessionReq req) {
        ServerSession s;
        try {
            s = registry.ownedSession(req.getSessionHandle());
        } catch (SessionRefusedException e) {
            return new TCloseSessionResp(Statuses.error(e.getMessage()));
        }
        if (s == null) return new TCloseSessionResp(registry.invalidSession(req.getSessionHandle()));
        return new TCloseSessionResp(close(s, null));
    }

    @Override
    public void connectionClosed(ClientContext context) {
        if (context == null || !conf.get(ConfigKeys.SESSION_CLOSE_ON_DISCONNECT)) return;
        for (ServerSession s : registry.all()) {
            if (context.connectionId().equals(s.connectionId())) {
                close(s, "its client disconnected without closing it");
            }
        }
    }

    /** Forgets the session and closes it on its engine; the engine keeps running. */
    private TStatus close(ServerSession s, String reason) {
        boolean held = registry.remove(s);
        // not held: closed concurrently, unless it is a session a draining server serves without holding it
        if (held) s.releasePermit();
        if (!held && !(s.resumed() && drain.refusing())) return Statuses.ok();
        pendingStatements.removeSession(s);
        for (String op : s.operations()) {
            registry.removeOperation(op);
            statements.ended(op, "closed");
        }
        boolean bound = s.markClosed();
        if (bound) continuity.closed(s);
        if (reason != null) {
            LOG.info("Closing session {} of {}: {}", s.id(), s.user(), reason);
            registry.serverClosed(s, reason);
        }
        if (s.firstOpenedLog()) locator.events().sessionOpened(sessionEvent(s, -1, null));
        locator.events().sessionClosed(sessionEvent(s, clock.millis(), reason));
        // not bound yet: a binding queued is cancelled, one running closes its engine session when it completes
        if (bound) closeOnEngine(s.id(), s.engine(), s.engineHandle());
        return Statuses.ok();
    }

    // ---------------------------------------------------------------- calls on a session

    private <R> R onSession(TSessionHandle handle, Class<R> type, String what, SessionCall<R> call,
            Function<R, TOperationHandle> newOperation) {
        return onSession(handle, type, what, s -> call, newOperation);
    }

    /** A call whose request depends on the session it runs on (callOf sees the session before the call). */
    private <R> R onSession(TSessionHandle handle, Class<R> type, String what,
            Function<ServerSession, SessionCall<R>> callOf, Function<R, TOperationHandle> newOperation) {
        ServerSession s;
        try {
            s = registry.ownedSession(handle);
        } catch (SessionRefusedException e) {
            return Responses.withStatus(type, Statuses.error(e.getMessage()));
        }
        if (s == null) return Responses.withStatus(type, registry.invalidSession(handle));
        s.enter(clock.instant());
        try {
            SessionCall<R> call = callOf.apply(s);
            EngineChannel engine = awaitEngine(s);
            R resp = engine.call(what, c -> call.on(c, s.engineHandle()));
            TOperationHandle op = newOperation == null ? null : newOperation.apply(resp);
            if (op != null && op.getOperationId() != null) registry.addOperation(s, op);
            return resp;
        } catch (EngineCallException e) {
            return Responses.withStatus(type, Statuses.error(e.getMessage(), "08S01"));
        } catch (ServerSession.BindingFailed e) {
            return Responses.withStatus(type, e.status());
        } finally {
            s.exit(clock.instant());
        }
    }

    private <R> R onOperation(TOperationHandle handle, Class<R> type, String what, EngineConnection.Call<R> call) {
        ServerSession s;
        try {
            s = registry.ownedSessionOf(handle);
        } catch (SessionRefusedException e) {
            return Responses.withStatus(type, Statuses.error(e.getMessage()));
        }
        if (s == null) return Responses.withStatus(type, registry.invalidOperation(handle));
        s.enter(clock.instant());
        // not idle while a call on it runs (a status poll the engine holds, a long fetch): idle from its end
        String opKey = Handles.key(handle);
        s.touchOperation(opKey, Instant.MAX);
        try {
            PendingStatements.Pending p = pendingStatements.get(Handles.key(handle));
            if (p != null && !p.sentOk()) {
                // a statement accepted before its engine was ready: it has a result once the engine has it
                TStatus sent = pendingStatements.awaitSent(p, s.bindWait());
                if (sent == null || !Statuses.isOk(sent)) {
                    return Responses.withStatus(type, Statuses.error("The statement has not run: " + (sent == null
                            ? "its engine is not ready yet; ask for the statement's status first"
                            : sent.getErrorMessage())));
                }
            }
            return awaitEngine(s).call(what, call);
        } catch (EngineCallException e) {
            return Responses.withStatus(type, Statuses.error(e.getMessage(), "08S01"));
        } catch (ServerSession.BindingFailed e) {
            return Responses.withStatus(type, e.status());
        } finally {
            s.touchOperation(opKey, clock.instant());
            s.exit(clock.instant());
        }
    }

    @Override
    public TGetInfoResp GetInfo(TGetInfoReq req) {
        ServerSession s;
        try {
            s = registry.ownedSession(req.getSessionHandle());
        } catch (SessionRefusedException e) {
            return Responses.withStatus(TGetInfoResp.class, Statuses.error(e.getMessage()));
        }
        if (s != null) {
            TGetInfoResp here = s.serverAnswersInfo() ? ServerInfo.ofServer(req.getInfoType(), release) : null;
            if (here == null && !s.bound().isDone()) here = ServerInfo.beforeEngine(req.getInfoType());
            if (here != null) return here;
        }
        return onSession(req.getSessionHandle(), TGetInfoResp.class, "GetInfo", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetInfo(req);
        }, null);
    }

    @Override
    public TExecuteStatementResp ExecuteStatement(TExecuteStatementReq req) {
        long start = System.nanoTime();
        long created = clock.millis();
        long client = req.getQueryTimeout();
        // the operation id is this server's to choose, and whether the engine holds its reply; never a client's
        if (req.getConfOverlay() != null) {
            req.getConfOverlay().remove(EngineConf.OPERATION_ID);
            req.getConfOverlay().remove(EngineConf.INLINE_WAIT_MS);
            req.getConfOverlay().remove(EngineConf.INLINE_ROWS);
        }
        TExecuteStatementResp early = acceptBeforeEngine(req, start, created, client);
        if (early != null) return early;
        ServerSession[] on = new ServerSession[1];
        TExecuteStatementResp resp = onSession(req.getSessionHandle(), TExecuteStatementResp.class,
                "ExecuteStatement", s -> {
                    on[0] = s;
                    // kyuubi.operation.query.timeout: the engine cancels the statement after the shorter bound
                    req.setQueryTimeout(QueryTimeouts.seconds(client, s.queryTimeout()));
                    InlineAnswers.ask(req, s.engineInlines(), conf);
                    return (c, h) -> {
                        req.setSessionHandle(h);
                        return c.ExecuteStatement(req);
                    };
                }, TExecuteStatementResp::getOperationHandle);
        // taken out of every reply, so that nothing of it reaches the client
        InlineResults.Answer whole = InlineResults.take(resp, InlineAnswers.MAX_CHARS);
        ServerSession s = on[0];
        TOperationHandle op = resp.getOperationHandle();
        if (s != null && op != null && op.getOperationId() != null && Statuses.isOk(resp.getStatus())) {
            s.statementRun();
            statements.started(Handles.key(op), s, start, Handles.uuid(op.getOperationId()).toString(),
                    req.getStatement(), created);
        } else if (s != null) {
            // refused by the engine (or the server) at once: it ends here
            s.statementRun();
            TStatus status = resp.getStatus();
            statements.refused(s,
                    op == null || op.getOperationId() == null ? null : Handles.uuid(op.getOperationId()).toString(),
                    req.getStatement(), created, status == null ? null : status.getErrorMessage());
        }
        if (s != null && op != null && op.getOperationId() != null && s.queryTimeout() != null
                && req.getQueryTimeout() != client) {
            s.timeouts().bounded(Handles.key(op), s.queryTimeout());
        }
        if (whole != null && s != null && op != null && op.getOperationId() != null && Statuses.isOk(resp.getStatus())) {
            InlineAnswers.Held held = inlineAnswers.reserve(whole, conf);
            if (held != null) {
                String key = Handles.key(op);
                s.holdInline(key, held);
                statements.ended(key, "FINISHED", null);
            }
        }
        return resp;
    }

    /**
     * An asynchronous statement of a session whose engine is still found or launched: accepted now, with a handle of
     * this server's, and sent to the engine once it is ready ({@link PendingStatements}); null for any other.
     */
    private TExecuteStatementResp acceptBeforeEngine(TExecuteStatementReq req, long start, long created, long client) {
        if (!req.isRunAsync()) return null;
        ServerSession s;
        try {
            s = registry.ownedSession(req.getSessionHandle());
        } catch (SessionRefusedException e) {
            return null; // the usual path answers
        }
        if (s == null || s.bound().isDone()) return null;
        int bound = conf.get(ConfigKeys.ENGINE_LAUNCH_ASYNC_PENDING_STATEMENTS);
        if (pendingStatements.waiting(s) >= bound) {
            String key = ConfigKeys.ENGINE_LAUNCH_ASYNC_PENDING_STATEMENTS.name();
            return Responses.withStatus(TExecuteStatementResp.class, Statuses.error("Session " + s.id() + " has "
                    + bound + " statements waiting for its engine already (" + key + "); wait for them, or raise "
                    + key));
        }
        req.setQueryTimeout(QueryTimeouts.seconds(client, s.queryTimeout()));
        PendingStatements.Pending p = pendingStatements.accept(s, req);
        TOperationHandle op = p.handle();
        registry.addOperation(s, op);
        s.statementRun();
        statements.started(Handles.key(op), s, start, Handles.uuid(op.getOperationId()).toString(),
                req.getStatement(), created);
        if (s.queryTimeout() != null && req.getQueryTimeout() != client) {
            s.timeouts().bounded(Handles.key(op), s.queryTimeout());
        }
        pendingStatements.sendWhenBound(p);
        TExecuteStatementResp resp = new TExecuteStatementResp(Statuses.ok());
        resp.setOperationHandle(op);
        return resp;
    }

    @Override
    public TGetTypeInfoResp GetTypeInfo(TGetTypeInfoReq req) {
        return onSession(req.getSessionHandle(), TGetTypeInfoResp.class, "GetTypeInfo", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetTypeInfo(req);
        }, TGetTypeInfoResp::getOperationHandle);
    }

    @Override
    public TGetCatalogsResp GetCatalogs(TGetCatalogsReq req) {
        return onSession(req.getSessionHandle(), TGetCatalogsResp.class, "GetCatalogs", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetCatalogs(req);
        }, TGetCatalogsResp::getOperationHandle);
    }

    @Override
    public TGetSchemasResp GetSchemas(TGetSchemasReq req) {
        return onSession(req.getSessionHandle(), TGetSchemasResp.class, "GetSchemas", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetSchemas(req);
        }, TGetSchemasResp::getOperationHandle);
    }

    @Override
    public TGetTablesResp GetTables(TGetTablesReq req) {
        return onSession(req.getSessionHandle(), TGetTablesResp.class, "GetTables", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetTables(req);
        }, TGetTablesResp::getOperationHandle);
    }

    @Override
    public TGetTableTypesResp GetTableTypes(TGetTableTypesReq req) {
        return onSession(req.getSessionHandle(), TGetTableTypesResp.class, "GetTableTypes", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetTableTypes(req);
        }, TGetTableTypesResp::getOperationHandle);
    }

    @Override
    public TGetColumnsResp GetColumns(TGetColumnsReq req) {
        return onSession(req.getSessionHandle(), TGetColumnsResp.class, "GetColumns", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetColumns(req);
        }, TGetColumnsResp::getOperationHandle);
    }

    @Override
    public TGetFunctionsResp GetFunctions(TGetFunctionsReq req) {
        return onSession(req.getSessionHandle(), TGetFunctionsResp.class, "GetFunctions", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetFunctions(req);
        }, TGetFunctionsResp::getOperationHandle);
    }

    @Override
    public TGetPrimaryKeysResp GetPrimaryKeys(TGetPrimaryKeysReq req) {
        return onSession(req.getSessionHandle(), TGetPrimaryKeysResp.class, "GetPrimaryKeys", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetPrimaryKeys(req);
        }, TGetPrimaryKeysResp::getOperationHandle);
    }

    @Override
    public TGetCrossReferenceResp GetCrossReference(TGetCrossReferenceReq req) {
        return onSession(req.getSessionHandle(), TGetCrossReferenceResp.class, "GetCrossReference", (c, h) -> {
            req.setSessionHandle(h);
            return c.GetCrossReference(req);
        }, TGetCrossReferenceResp::getOperationHandle);
    }

    @Override
    public TSetClientInfoResp SetClientInfo(TSetClientInfoReq req) {
        return onSession(req.getSessionHandle(), TSetClientInfoResp.class, "SetClientInfo", (c, h) -> {
            req.setSessionHandle(h);
            return c.SetClientInfo(req);
        }, null);
    }

    // ---------------------------------------------------------------- calls on an operation

    @Override
    public TGetOperationStatusResp GetOperationStatus(TGetOperationStatusReq req) {
        InlineAnswers.Held held = ownedInline(req.getOperationHandle());
        if (held != null) return held.status();
        TGetOperationStatusResp waiting = pendingStatus(req.getOperationHandle());
        if (waiting != null) return waiting;
        TGetOperationStatusResp resp = onOperation(req.getOperationHandle(), TGetOperationStatusResp.class,
                "GetOperationStatus", c -> c.GetOperationStatus(req));
        String key = Handles.key(req.getOperationHandle());
        ServerSession s = registry.sessionOfOperation(key);
        if (s != null) s.timeouts().explain(key, resp);
        TOperationState state = resp.getOperationState();
        if (state != null && Statuses.isOk(resp.getStatus()) && ENDED.contains(state)) {
            statements.ended(key, state.name().replace("_STATE", ""), resp.getErrorMessage());
        }
        return resp;
    }

    /** The status of a statement its engine does not have (yet); null for any other operation. */
    private TGetOperationStatusResp pendingStatus(TOperationHandle handle) {
        String key = Handles.key(handle);
        PendingStatements.Pending p = pendingStatements.get(key);
        if (p == null || p.sentOk()) return null;
        try {
            if (registry.ownedSessionOf(handle) != p.session()) return null;
        } catch (SessionRefusedException e) {
            return null; // the usual path answers with the refusal
        }
        // a client polling a statement that waits for its engine keeps it: from the poll's start and its end
        called(p.session(), key);
        // a shorter long poll than the engine's: a client that reads the statement's log between polls (beeline)
        // shows the launch's lines as they come
        Duration poll = conf.get(ConfigKeys.OPERATION_STATUS_POLLING_TIMEOUT);
        TGetOperationStatusResp resp = pendingStatements.status(p, poll.compareTo(PENDING_POLL) < 0 ? poll
                : PENDING_POLL);
        called(p.session(), key);
        if (resp != null && resp.getOperationState() != null && ENDED.contains(resp.getOperationState())) {
            statements.ended(key, resp.getOperationState().name().replace("_STATE", ""), resp.getErrorMessage());
        }
        return resp;
    }

    /** The longest a status poll of a statement waiting for its engine is held. */
    private static final Duration PENDING_POLL = Duration.ofSeconds(1);

    private static final Set<TOperationState> ENDED = EnumSet.of(TOperationState.FINISHED_STATE,
            TOperationState.ERROR_STATE, TOperationState.CANCELED_STATE, TOperationState.TIMEDOUT_STATE,
            TOperationState.CLOSED_STATE);

    @Override
    public TCancelOperationResp CancelOperation(TCancelOperationReq req) {
        PendingStatements.Pending p = ownedPending(req.getOperationHandle());
        if (p != null && pendingStatements.endHere(p, TOperationState.CANCELED_STATE)) {
            statements.ended(Handles.key(req.getOperationHandle()), "CANCELED", null);
            return new TCancelOperationResp(Statuses.ok());
        }
        return onOperation(req.getOperationHandle(), TCancelOperationResp.class, "CancelOperation",
                c -> c.CancelOperation(req));
    }

    @Override
    public TCloseOperationResp CloseOperation(TCloseOperationReq req) {
        String known = Handles.key(req.getOperationHandle());
        PendingStatements.Pending p = ownedPending(req.getOperationHandle());
        if (p != null) {
            pendingStatements.remove(known);
            if (pendingStatements.endHere(p, TOperationState.CLOSED_STATE)) {
                // never sent: nothing to close on the engine
                if (registry.removeOperation(known, p.session())) statements.ended(known, "closed");
                return new TCloseOperationResp(Statuses.ok());
            }
        }
        ServerSession held = registry.sessionOfOperation(known);
        if (held != null) {
            // an operation of a session held here: forgotten now, closed on the engine in the background
            try {
                if (closeHeld(req, known, held)) return new TCloseOperationResp(Statuses.ok());
            } catch (SessionRefusedException e) {
                return new TCloseOperationResp(Statuses.error(e.getMessage()));
            }
        }
        TCloseOperationResp resp = onOperation(req.getOperationHandle(), TCloseOperationResp.class,
                "CloseOperation", c -> c.CloseOperation(req));
        String key = Handles.key(req.getOperationHandle());
        if (registry.removeOperation(key) != null) statements.ended(key, "closed");
        return resp;
    }

    @Override
    public TGetResultSetMetadataResp GetResultSetMetadata(TGetResultSetMetadataReq req) {
        InlineAnswers.Held held = ownedInline(req.getOperationHandle());
        if (held != null) return held.metadata();
        return onOperation(req.getOperationHandle(), TGetResultSetMetadataResp.class, "GetResultSetMetadata",
                c -> c.GetResultSetMetadata(req));
    }

    /** The statement of that handle accepted before its engine was ready, when the caller owns it; else null. */
    private PendingStatements.Pending ownedPending(TOperationHandle handle) {
        PendingStatements.Pending p = pendingStatements.get(Handles.key(handle));
        if (p == null) return null;
        try {
            if (registry.ownedSessionOf(handle) != p.session()) return null;
        } catch (SessionRefusedException e) {
            return null;
        }
        called(p.session(), Handles.key(handle));
        return p;
    }

    /** A call on that operation answered here: the session and the operation are not idle since now. */
    private void called(ServerSession s, String key) {
        Instant now = clock.instant();
        s.enter(now);
        s.touchOperation(key, now);
        s.exit(now);
    }

    /**
     * Forwarded with the client's maxRows: rows stream through batch by batch, never gathered here. A client asking
     * for more rows at once than kyuubi.server.limit.client.fetch.max.rows is refused before the engine is asked.
     */
    @Override
    public TFetchResultsResp FetchResults(TFetchResultsReq req) {
        Integer limit = conf.get(ConfigKeys.LIMIT_CLIENT_FETCH_MAX_ROWS);
        if (limit != null && limit > 0 && req.getMaxRows() > limit) {
            String key = ConfigKeys.LIMIT_CLIENT_FETCH_MAX_ROWS.name();
            return Responses.withStatus(TFetchResultsResp.class, Statuses.error("FetchResults asks for "
                    + req.getMaxRows() + " rows at once, more than " + key + "=" + limit + " allows; fetch at most "
                    + limit + " rows at a time (JDBC: Statement.setFetchSize or fetchSize in the URL)"));
        }
        if (req.getFetchType() == 1) {
            // the log of a statement accepted before its engine was ready: this server's lines first
            PendingStatements.Pending p = ownedPending(req.getOperationHandle());
            TRowSet lines = p == null ? null : pendingStatements.nextLog(p, (int) Math.min(req.getMaxRows(),
                    Integer.MAX_VALUE));
            if (lines != null) {
                TFetchResultsResp resp = new TFetchResultsResp(Statuses.ok());
                resp.setHasMoreRows(false);
                resp.setResults(lines);
                return resp;
            }
        }
        boolean results = req.getFetchType() != 1;
        if (results && (req.getOrientation() == null || req.getOrientation() == TFetchOrientation.FETCH_NEXT)) {
            TFetchResultsResp whole = inlineRows(req);
            if (whole != null) return whole;
            TFetchResultsResp end = endedResult(req.getOperationHandle());
            if (end != null) return end;
        } else if (results) {
            // FETCH_FIRST and the like go to the engine, whose cursor is the truth from then on: rows held for the
            // first fetch are not answered any more (a FETCH_NEXT that asked for too few dropped them already)
            InlineAnswers.Held held = ownedInline(req.getOperationHandle());
            if (held != null) held.dropRows();
        }
        TFetchResultsResp resp = onOperation(req.getOperationHandle(), TFetchResultsResp.class, "FetchResults",
                c -> c.FetchResults(req));
        if (results) {
            ServerSession s = registry.sessionOfOperation(Handles.key(req.getOperationHandle()));
            if (s != null && Statuses.isOk(resp.getStatus())) {
                boolean ended = resp.isSetHasMoreRows() && !resp.isHasMoreRows();
                s.resultFetched(Handles.key(req.getOperationHandle()),
                        ended ? ResultEnds.emptyAfter(resp.getResults()) : null);
            }
        }
        return resp;
    }

    /**
     * Forgets an operation of a session held here, for its owner, and closes it on the engine in the background;
     * false when it is not that session's (any more).
     */
    private boolean closeHeld(TCloseOperationReq req, String key, ServerSession held) throws SessionRefusedException {
        if (registry.ownedSessionOf(req.getOperationHandle()) != held || !registry.removeOperation(key, held)) {
            return false;
        }
        statements.ended(key, "closed");
        closes.submit("Closing operation " + key + " on its engine", () -> {
            TStatus status = held.engine().close("CloseOperation", null, c -> c.CloseOperation(req)).getStatus();
            if (!Statuses.isOk(status)) LOG.debug("CloseOperation on the engine: {}", status.getErrorMessage());
        });
        return true;
    }

    /**
     * The last, empty fetch of a result whose end this server knows ({@link ResultEnds}), answered on the calling
     * I/O thread: one map lookup, the owner check in memory (the operation is held here, so no record is read).
     */
    @Override
    public TFetchResultsResp fetchResultsAtOnce(TFetchResultsReq req) {
        if (req == null || req.getOperationHandle() == null || req.getFetchType() == 1) return null;
        if (req.getOrientation() != null && req.getOrientation() != TFetchOrientation.FETCH_NEXT) return null;
        Integer limit = conf.get(ConfigKeys.LIMIT_CLIENT_FETCH_MAX_ROWS);
        if (limit != null && limit > 0 && req.getMaxRows() > limit) return null; // refused the usual way
        TFetchResultsResp whole = inlineRows(req);
        return whole != null ? whole : endedResult(req.getOperationHandle());
    }

    /** A status poll of a statement answered whole with its ExecuteStatement ({@link InlineAnswers}), at once. */
    @Override
    public TGetOperationStatusResp getOperationStatusAtOnce(TGetOperationStatusReq req) {
        InlineAnswers.Held held = req == null ? null : ownedInline(req.getOperationHandle());
        return held == null ? null : held.status();
    }

    /** The result schema of a statement answered whole with its ExecuteStatement, at once. */
    @Override
    public TGetResultSetMetadataResp getResultSetMetadataAtOnce(TGetResultSetMetadataReq req) {
        InlineAnswers.Held held = req == null ? null : ownedInline(req.getOperationHandle());
        return held == null ? null : held.metadata();
    }

    /**
     * The whole answer held for that operation ({@link InlineAnswers}), for the operation's owner only; null to go
     * the usual way (which answers anyone else's handle with its refusal). Memory only: callable at once.
     */
    private InlineAnswers.Held ownedInline(TOperationHandle handle) {
        if (handle == null || handle.getOperationId() == null) return null;
        String key = Handles.key(handle);
        ServerSession known = registry.sessionOfOperation(key);
        InlineAnswers.Held held = known == null ? null : known.inline(key);
        if (held == null) return null; // most calls: one map lookup, then the usual path
        try {
            if (registry.ownedSessionOf(handle) != known) return null;
        } catch (SessionRefusedException e) {
            return null;
        }
        called(known, key);
        return held;
    }

    /**
     * The first FETCH_NEXT of a result held whole here, when the client asks for at least as many rows as it has:
     * those rows, and no more to come (the next fetch is answered here too, {@link ResultEnds}); null otherwise.
     */
    private TFetchResultsResp inlineRows(TFetchResultsReq req) {
        InlineAnswers.Held held = ownedInline(req.getOperationHandle());
        TRowSet rows = held == null ? null : held.takeRows(req.getMaxRows());
        if (rows == null) return null;
        String key = Handles.key(req.getOperationHandle());
        ServerSession s = registry.sessionOfOperation(key);
        if (s != null) s.resultFetched(key, ResultEnds.emptyAfter(rows));
        TFetchResultsResp resp = new TFetchResultsResp(Statuses.ok());
        resp.setHasMoreRows(false);
        resp.setResults(rows);
        return resp;
    }

    /**
     * The owner's close of an operation held here that is not a running statement (its end, metrics and event were
     * recorded when it was seen to end) nor one waiting for its engine, answered on the calling I/O thread while the
     * engine is told in the background; anything else (a running statement, another user's handle, closes piling up)
     * goes the usual way.
     */
    @Override
    public TCloseOperationResp closeOperationAtOnce(TCloseOperationReq req) {
        if (req == null || req.getOperationHandle() == null) return null;
        String key = Handles.key(req.getOperationHandle());
        ServerSession held = registry.sessionOfOperation(key);
        if (held == null || statements.running(key) || pendingStatements.get(key) != null || !closes.hasRoom()) {
            return null;
        }
        try {
            return closeHeld(req, key, held) ? new TCloseOperationResp(Statuses.ok()) : null;
        } catch (SessionRefusedException e) {
            return null; // the usual way answers with the refusal
        }
    }

    /**
     * The answer to a fetch of a result its engine said has ended ({@link ResultEnds}), for the operation's owner
     * only; null to go the usual way (which also answers anyone else's handle with its refusal).
     */
    private TFetchResultsResp endedResult(TOperationHandle handle) {
        String key = Handles.key(handle);
        ServerSession known = registry.sessionOfOperation(key);
        TRowSet empty = known == null ? null : known.resultEnd(key);
        if (empty == null) return null; // most fetches: one map lookup, then the usual path
        ServerSession s;
        try {
            s = registry.ownedSessionOf(handle);
        } catch (SessionRefusedException e) {
            return null;
        }
        if (s != known) return null;
        Instant now = clock.instant();
        s.enter(now);
        s.touchOperation(key, now);
        s.exit(now);
        return ResultEnds.answer(empty);
    }

    /** What the whole answers held here take ({@link InlineAnswers}). */
    long inlineHeld() {
        return inlineAnswers.held();
    }

    @Override
    public TGetQueryIdResp GetQueryId(TGetQueryIdReq req) {
        return onOperation(req.getOperationHandle(), TGetQueryIdResp.class, "GetQueryId", c -> c.GetQueryId(req));
    }

    // ---------------------------------------------------------------- SessionManager

    @Override
    public int openSessionCount() {
        return view.openSessionCount();
    }

    /** Whether new sessions are refused (a drain has begun). */
    boolean refusing() {
        return drain.refusing();
    }

    @Override
    public List<SessionInfo> sessions() {
        return view.sessions();
    }

    @Override
    public boolean refusingNewSessions() {
        return refusing();
    }

    @Override
    public void refuseNewSessions(String message) {
        String refusal = drain.refuse(message);
        locator.metrics().draining(true);
        LOG.info("New sessions are refused from now on: {}", refusal);
        int handed = DrainAdmission.handOverPerRequestSessions(registry, statements);
        if (handed > 0) {
            LOG.info("{} HTTP session(s) handed over: their records stay for the next server of the namespace", handed);
        }
    }

    @Override
    public boolean closeSession(String id) {
        return view.closeSession(id);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }
}
