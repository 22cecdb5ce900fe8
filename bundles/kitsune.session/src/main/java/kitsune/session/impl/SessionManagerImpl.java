package kitsune.session.impl;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
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
import kitsune.api.engine.EngineProvider;
import kitsune.api.events.OperationEvent;
import kitsune.api.events.SessionEvent;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;
import kitsune.internal.threads.NamedThreads;
import kitsune.thrift.Callers;
import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Handles;
import kitsune.thrift.Responses;
import kitsune.thrift.Statuses;
import kitsune.thrift.UnsupportedCalls;

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
    /** Stale engine nodes removed for one session at most (one per dead engine of its space). */
    private static final int STALE_NODE_ATTEMPTS = 3;
    /** How long a stop waits for the session records still being written or removed, and for closes on engines. */
    private static final Duration RECORDS_AT_STOP = Duration.ofSeconds(10);
    private static final String DRAINING = "This server accepts no new sessions; connect to another server";
    /** How this server names itself in session records. */
    private static final String SERVER_NAME = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();

    @FunctionalInterface
    interface SessionCall<R> {
        R on(TCLIService.Client client, TSessionHandle engineSession) throws TException;
    }

    private final EngineLocator locator;
    private final Clock clock;
    private final Map<String, ServerSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, ServerSession> operations = new ConcurrentHashMap<>();
    private final EngineChannels channels = new EngineChannels();
    private final SessionContinuity continuity;
    private final SessionLimiter limiter = new SessionLimiter();
    private final BackgroundCloses closes = new BackgroundCloses();
    private volatile KitsuneConf conf = KitsuneConf.empty();
    private volatile String refusal;
    /** OpenSession calls past the refusal check and not yet answered: a drain waits for them too. */
    private final java.util.concurrent.atomic.AtomicInteger opening = new java.util.concurrent.atomic.AtomicInteger();
    private ScheduledExecutorService checker;
    /** Statements (ExecuteStatement operations) not yet seen to end, by operation key, for their latency. */
    private final Map<String, Statement> statements = new ConcurrentHashMap<>();

    /** @param createTime epoch ms of ExecuteStatement, for the event log */
    private record Statement(String user, long startNanos, String statementId, ServerSession session, String text,
            long createTime) {
    }

    public SessionManagerImpl(EngineLocator locator, Clock clock) {
        this.locator = locator;
        this.clock = clock;
        this.continuity = new SessionContinuity(locator, channels, clock, SERVER_NAME);
    }

    /** The server configuration; a change applies to sessions opened from now on. */
    public void configure(KitsuneConf serverConf) {
        this.conf = serverConf;
    }

    /** Starts the idle-session checker. */
    public synchronized void start() {
        checker = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("kitsune-session-checker"));
        continuity.start();
        closes.start();
        scheduleIdleCheck();
    }

    /** Stops the checker and closes every session (their engines keep running for other servers and sessions). */
    public synchronized void shutdown() {
        if (checker != null) checker.shutdownNow();
        checker = null;
        new ArrayList<>(sessions.values()).forEach(s -> close(s, "the session service stops"));
        continuity.stop(RECORDS_AT_STOP);
        closes.stop(RECORDS_AT_STOP);
        channels.closeAll();
    }

    private synchronized void scheduleIdleCheck() {
        if (checker == null) return;
        Duration every = conf.get(ConfigKeys.SESSION_CHECK_INTERVAL);
        try {
            checker.schedule(() -> {
                try {
                    closeIdleOperations();
                    closeIdleSessions();
                    channels.closeIdle(inUseChannels());
                    sweepRecords();
                } catch (RuntimeException e) {
                    LOG.warn("Idle session check failed", e);
                } finally {
                    scheduleIdleCheck();
                }
            }, Math.max(1000, every.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // shutdown() got here first
        }
    }

    private Set<EngineChannel> inUseChannels() {
        Set<EngineChannel> used = Collections.newSetFromMap(new IdentityHashMap<>());
        sessions.values().forEach(s -> used.add(s.engine()));
        return used;
    }

    /** Connections this server holds open to engines (in use or idle). */
    int engineConnections() {
        return channels.openConnections();
    }

    /**
     * Closes operations no client called for during kyuubi.operation.idle.timeout (0 disables): forgotten here at
     * once, closed on the engine in the background (a running statement is cancelled there); a later call with the
     * handle is told why (the last {@link #IDLE_CLOSED_REMEMBERED} are remembered).
     */
    void closeIdleOperations() {
        Duration timeout = conf.get(ConfigKeys.OPERATION_IDLE_TIMEOUT);
        if (timeout.isZero()) return;
        var cutoff = clock.instant().minus(timeout);
        String why = "closed after no call for more than " + ConfigKeys.OPERATION_IDLE_TIMEOUT.name() + "=" + timeout;
        for (ServerSession s : sessions.values()) {
            s.operationsIdleSince(cutoff).forEach((key, op) -> {
                if (!operations.remove(key, s)) return;
                s.forgetOperation(key);
                statementEnded(key, "closed");
                idleClosed.put(key, "operation " + describe(op.handle().getOperationId()) + " was " + why);
                LOG.info("Operation {} of session {} ({}) {}", describe(op.handle().getOperationId()), s.id(),
                        s.user(), why);
                TCloseOperationReq close = new TCloseOperationReq(op.handle());
                closes.submit("Closing idle operation " + key + " on its engine",
                        () -> s.engine().call("CloseOperation", c -> c.CloseOperation(close)));
            });
        }
    }

    private static final int IDLE_CLOSED_REMEMBERED = 10_000;
    /** Why operations closed for idleness are gone, by key: the most recent ones. */
    private final Map<String, String> idleClosed = Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > IDLE_CLOSED_REMEMBERED;
        }
    });

    /** Closes sessions without a call for kyuubi.session.idle.timeout (0 disables). */
    void closeIdleSessions() {
        Duration timeout = conf.get(ConfigKeys.SESSION_IDLE_TIMEOUT);
        if (timeout.isZero()) return;
        var cutoff = clock.instant().minus(timeout);
        for (ServerSession s : sessions.values()) {
            if (s.isIdleSince(cutoff)) {
                close(s, "idle for more than " + ConfigKeys.SESSION_IDLE_TIMEOUT.name() + "=" + timeout);
            }
        }
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public TOpenSessionResp openSession(ClientContext context, TOpenSessionReq req) {
        opening.incrementAndGet();
        try {
            String refused = refusal;
            if (refused != null) {
                return Responses.withStatus(TOpenSessionResp.class, Statuses.error(refused, "08S01"));
            }
            return open(context, req);
        } finally {
            opening.decrementAndGet();
        }
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
                ProxyUsers.authorize(conf, login, proxy.get(), from);
                LOG.info("{} from {} opens a session as {}", login, from, proxy.get());
                user = proxy.get();
            }
            permit = limiter.acquire(conf, user, context == null ? null : context.clientAddress());
            // Kyuubi's layering: server defaults < the user's ___user___.key defaults < the session's own settings
            KitsuneConf userConf = conf.forUser(user);
            Map<String, String> clientConf = ConfNormalizer.screen(req.getConfiguration(), userConf);
            KitsuneConf sessionConf = userConf.with(ConfNormalizer.overrides(clientConf));
            ConfNormalizer.checkWithinServerLimits(userConf, sessionConf);
            EngineProvider provider = locator.provider(sessionConf);
            EngineSpace space = locator.space(provider, sessionConf, user, id.toString());
            ServiceNode node = locator.locate(provider, space, sessionConf, user, id.toString());
            TOpenSessionReq engineReq = new TOpenSessionReq(protocol);
            engineReq.setUsername(user);
            Map<String, String> engineConf = new HashMap<>(clientConf);
            // the session lives on the engine until CloseSession, not as long as one of the shared connections
            engineConf.put(EngineConf.SESSION_POOLED, "true");
            engineReq.setConfiguration(engineConf);
            EngineChannel engine;
            TOpenSessionResp engineResp;
            for (int attempt = 1;; attempt++) {
                engine = channels.of(node, sessionConf);
                try {
                    engineResp = engine.call("OpenSession", c -> c.OpenSession(engineReq));
                    break;
                } catch (EngineCallException e) {
                    // a node left behind by an engine that died (nothing listens at its address, or something else
                    // that cannot prove it is this space's engine, e.g. another engine that got the port since):
                    // remove it and find (or launch) another engine; only the provider can tell it is stale
                    if (attempt >= STALE_NODE_ATTEMPTS || !(EngineConnection.refused(e) || e.unproven())
                            || !locator.removeIfStale(provider, space, node, sessionConf)) {
                        throw e;
                    }
                    node = locator.locate(provider, space, sessionConf, user, id.toString());
                }
            }
            if (!Statuses.isOk(engineResp.getStatus()) || engineResp.getSessionHandle() == null) {
                TStatus status = Statuses.isOk(engineResp.getStatus())
                        ? Statuses.error("The engine at " + node.hostPort() + " returned no session handle")
                        : engineResp.getStatus();
                return Responses.withStatus(TOpenSessionResp.class, status);
            }
            TProtocolVersion agreed = Protocols.min(protocol, engineResp.getServerProtocolVersion());
            ServerSession s = new ServerSession(id, user, login, context, engine, engineResp.getSessionHandle(),
                    clock.instant());
            s.holdPermit(permit);
            s.queryTimeout(QueryTimeouts.bound(userConf, sessionConf));
            continuity.opened(s, SessionRecords.Entry.of(user, login, node.host(), node.port(),
                    node.attributes().getOrDefault(EngineConf.NODE_AUTH, ""), space.path(),
                    engineResp.getSessionHandle(), agreed, SERVER_NAME, s.handle()));
            s.engineSpace(space.path());
            sessions.put(s.key(), s);
            held = true;
            locator.events().sessionOpened(sessionEvent(s, -1, null));
            LOG.info("Opened session {} for {} from {} on engine {} ({})", id, user, from, node.hostPort(),
                    space.path());
            TOpenSessionResp resp = new TOpenSessionResp(Statuses.ok(), agreed);
            resp.setSessionHandle(s.handle());
            resp.setConfiguration(clientConfiguration(engineResp.getConfiguration(), sessionConf));
            return resp;
        } catch (ConfigException | EngineException | DiscoveryException | EngineCallException
                | IllegalArgumentException | SessionRefusedException e) {
            LOG.warn("Cannot open a session for {} from {}: {}", UserNames.printable(user), from, e.getMessage());
            return Responses.withStatus(TOpenSessionResp.class, Statuses.error(e.getMessage()));
        } finally {
            if (!held && permit != null) permit.release();
        }
    }

    /** The session as the audit and event logs see it; {@code end} is -1 while it is open. */
    private static SessionEvent sessionEvent(ServerSession s, long end, String reason) {
        return new SessionEvent(s.id().toString(), s.user(), s.login(),
                s.client() == null ? null : s.client().clientAddress(), s.engineSpace(), s.engine().hostPort(),
                s.opened().toEpochMilli(), end, s.statementsRun(), reason);
    }

    /**
     * What the client reads from OpenSession: the engine's answer plus the two keys Hive JDBC needs (without them
     * it fails or guesses), as HiveServer2 sends them.
     */
    private static Map<String, String> clientConfiguration(Map<String, String> engineConf, KitsuneConf sessionConf) {
        Map<String, String> m = new HashMap<>(engineConf == null ? Map.of() : engineConf);
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
            s = ownedSession(req.getSessionHandle());
        } catch (SessionRefusedException e) {
            return new TCloseSessionResp(Statuses.error(e.getMessage()));
        }
        if (s == null) return new TCloseSessionResp(invalidSession(req.getSessionHandle()));
        return new TCloseSessionResp(close(s, null));
    }

    @Override
    public void connectionClosed(ClientContext context) {
        if (context == null || !conf.get(ConfigKeys.SESSION_CLOSE_ON_DISCONNECT)) return;
        for (ServerSession s : sessions.values()) {
            if (context.connectionId().equals(s.connectionId())) {
                close(s, "its client disconnected without closing it");
            }
        }
    }

    /** Forgets the session and closes it on its engine; the engine keeps running. */
    private TStatus close(ServerSession s, String reason) {
        boolean held = sessions.remove(s.key()) != null;
        // not held: closed concurrently, unless it is a session a draining server serves without holding it
        if (held) s.releasePermit();
        if (!held && !(s.resumed() && refusal != null)) return Statuses.ok();
        for (String op : s.operations()) {
            operations.remove(op);
            statementEnded(op, "closed");
        }
        continuity.closed(s);
        if (reason != null) LOG.info("Closing session {} of {}: {}", s.id(), s.user(), reason);
        locator.events().sessionClosed(sessionEvent(s, clock.millis(), reason));
        TCloseSessionReq closeReq = new TCloseSessionReq(s.engineHandle());
        closes.submit("Closing session " + s.id() + " on its engine", () -> {
            TStatus status = s.engine().call("CloseSession", conf.get(ConfigKeys.ENGINE_LOGIN_TIMEOUT),
                    c -> c.CloseSession(closeReq)).getStatus();
            if (!Statuses.isOk(status)) {
                LOG.warn("Session {}: its engine answered CloseSession with {}", s.id(), status.getErrorMessage());
            }
        });
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
            s = ownedSession(handle);
        } catch (SessionRefusedException e) {
            return Responses.withStatus(type, Statuses.error(e.getMessage()));
        }
        if (s == null) return Responses.withStatus(type, invalidSession(handle));
        s.enter(clock.instant());
        try {
            SessionCall<R> call = callOf.apply(s);
            R resp = s.engine().call(what, c -> call.on(c, s.engineHandle()));
            TOperationHandle op = newOperation == null ? null : newOperation.apply(resp);
            if (op != null && op.getOperationId() != null) {
                // the handle's secret (engines name operations by guid alone) carries the session's id, so that any
                // server of the namespace can find the session of an operation it has not seen
                op.getOperationId().setSecret(uuidBytes(s.id()));
                String key = Handles.key(op);
                operations.put(key, s);
                s.addOperation(key, op, clock.instant());
            }
            return resp;
        } catch (EngineCallException e) {
            return Responses.withStatus(type, Statuses.error(e.getMessage(), "08S01"));
        } finally {
            s.exit(clock.instant());
        }
    }

    private <R> R onOperation(TOperationHandle handle, Class<R> type, String what, EngineConnection.Call<R> call) {
        ServerSession s;
        try {
            s = ownedSessionOf(handle);
        } catch (SessionRefusedException e) {
            return Responses.withStatus(type, Statuses.error(e.getMessage()));
        }
        if (s == null) return Responses.withStatus(type, invalidOperation(handle));
        s.enter(clock.instant());
        s.touchOperation(Handles.key(handle), clock.instant());
        try {
            return s.engine().call(what, call);
        } catch (EngineCallException e) {
            return Responses.withStatus(type, Statuses.error(e.getMessage(), "08S01"));
        } finally {
            s.exit(clock.instant());
        }
    }

    // ---------------------------------------------------------------- owners and records

    /**
     * The session of that handle for the current caller: held here, or resumed from its record when another server
     * of the namespace opened it; null when no server knows it.
     *
     * @throws SessionRefusedException when it is another user's, or known but cannot be continued
     */
    private ServerSession ownedSession(TSessionHandle handle) throws SessionRefusedException {
        ServerSession s = sessions.get(Handles.key(handle));
        if (s == null) {
            UUID id = handle == null ? null : Handles.uuid(handle.getSessionId());
            s = id == null ? null : resume(id, handle);
        }
        if (s != null && !s.isHandle(handle)) return null; // the guid without its secret half names nothing
        return s == null ? null : checkOwner(s);
    }

    /** The session of that operation for the current caller, as {@link #ownedSession}. */
    private ServerSession ownedSessionOf(TOperationHandle handle) throws SessionRefusedException {
        String key = Handles.key(handle);
        ServerSession s = operations.get(key);
        if (s == null && handle != null && handle.getOperationId() != null) {
            byte[] secret = handle.getOperationId().getSecret();
            UUID id = secret == null || secret.length != 16 ? null : Handles.uuid(new THandleIdentifier(
                    java.nio.ByteBuffer.wrap(secret), java.nio.ByteBuffer.wrap(secret)));
            if (id != null) {
                // an operation this server has not seen: one started on the server that opened the session. For a
                // session opened here, this server's own list is the truth (the operation was closed)
                s = sessions.get(Handles.key(Handles.newIdentifier(id)));
                if (s == null) s = resume(id, null);
                if (s != null && !s.resumed()) s = null;
                if (s != null && refusal == null) {
                    operations.put(key, s);
                    s.addOperation(key, handle, clock.instant());
                }
            }
        }
        return s == null ? null : checkOwner(s);
    }

    /** Another user's handle is refused, here and on every server; calls without a known caller are not checked. */
    private static ServerSession checkOwner(ServerSession s) throws SessionRefusedException {
        ClientContext caller = Callers.current();
        if (caller == null || caller.user() == null || s.usableBy(caller.user())) return s;
        LOG.warn("{} from {} used a handle of session {} of {}: refused", caller.user(), caller.clientAddress(),
                s.id(), s.user());
        throw new SessionRefusedException("Invalid SessionHandle: the session belongs to another user");
    }

    /**
     * Continues a session another server of the namespace opened (and maybe died holding), and holds it here from
     * now on; while this server drains it serves the call without holding the session.
     */
    private ServerSession resume(UUID id, TSessionHandle shown) throws SessionRefusedException {
        ServerSession s = continuity.resume(id, shown, Callers.current(), conf);
        if (s == null || refusal != null) {
            if (s != null) LOG.info("Serving a call of session {} of {} without holding it: this server drains", id,
                    s.user());
            return s;
        }
        ServerSession raced = sessions.putIfAbsent(s.key(), s);
        if (raced != null) return raced;
        continuity.heldHere(s);
        return s;
    }

    /** See {@link SessionContinuity#sweep}; not while draining. */
    void sweepRecords() {
        if (refusal != null) return;
        continuity.sweep(conf, id -> sessions.containsKey(Handles.key(Handles.newIdentifier(id))));
    }

    private static byte[] uuidBytes(UUID u) {
        return java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array();
    }

    private static TStatus invalidSession(TSessionHandle h) {
        return Statuses.error("Invalid SessionHandle: " + describe(h == null ? null : h.getSessionId()));
    }

    private TStatus invalidOperation(TOperationHandle h) {
        String why = h == null ? null : idleClosed.get(Handles.key(h));
        return why != null ? Statuses.error("Invalid OperationHandle: " + why) : unknownOperation(h);
    }

    private static TStatus unknownOperation(TOperationHandle h) {
        return Statuses.error("Invalid OperationHandle: " + describe(h == null ? null : h.getOperationId()));
    }

    private static String describe(THandleIdentifier id) {
        UUID u = Handles.uuid(id);
        return u != null ? u.toString() : Handles.key(id);
    }

    @Override
    public TGetInfoResp GetInfo(TGetInfoReq req) {
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
        ServerSession[] on = new ServerSession[1];
        TExecuteStatementResp resp = onSession(req.getSessionHandle(), TExecuteStatementResp.class,
                "ExecuteStatement", s -> {
                    on[0] = s;
                    // kyuubi.operation.query.timeout: the engine cancels the statement after the shorter bound
                    req.setQueryTimeout(QueryTimeouts.seconds(client, s.queryTimeout()));
                    return (c, h) -> {
                        req.setSessionHandle(h);
                        return c.ExecuteStatement(req);
                    };
                }, TExecuteStatementResp::getOperationHandle);
        ServerSession s = on[0];
        TOperationHandle op = resp.getOperationHandle();
        if (s != null && op != null && op.getOperationId() != null && Statuses.isOk(resp.getStatus())) {
            s.statementRun();
            statements.put(Handles.key(op), new Statement(s.user(), start,
                    Handles.uuid(op.getOperationId()).toString(), s, req.getStatement(), created));
            locator.metrics().statementOpened(s.user());
        } else if (s != null) {
            // refused by the engine (or the server) at once: it ends here
            s.statementRun();
            TStatus status = resp.getStatus();
            locator.events().statementEnded(new OperationEvent(
                    op == null || op.getOperationId() == null ? null : Handles.uuid(op.getOperationId()).toString(),
                    s.id().toString(), s.user(), s.client() == null ? null : s.client().clientAddress(),
                    req.getStatement(), "ERROR", created, clock.millis(),
                    status == null ? null : status.getErrorMessage()));
        }
        if (s != null && op != null && op.getOperationId() != null && s.queryTimeout() != null
                && req.getQueryTimeout() != client) {
            s.timeouts().bounded(Handles.key(op), s.queryTimeout());
        }
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
        TGetOperationStatusResp resp = onOperation(req.getOperationHandle(), TGetOperationStatusResp.class,
                "GetOperationStatus", c -> c.GetOperationStatus(req));
        String key = Handles.key(req.getOperationHandle());
        ServerSession s = operations.get(key);
        if (s != null) s.timeouts().explain(key, resp);
        TOperationState state = resp.getOperationState();
        if (state != null && Statuses.isOk(resp.getStatus()) && ENDED.contains(state)) {
            statementEnded(key, state.name().replace("_STATE", ""), resp.getErrorMessage());
        }
        return resp;
    }

    private static final Set<TOperationState> ENDED = EnumSet.of(TOperationState.FINISHED_STATE,
            TOperationState.ERROR_STATE, TOperationState.CANCELED_STATE, TOperationState.TIMEDOUT_STATE,
            TOperationState.CLOSED_STATE);

    /** The first time a statement is seen to end (or is closed before): its latency goes to the metrics. */
    private void statementEnded(String key, String outcome) {
        statementEnded(key, outcome, null);
    }

    /** ... and to the audit and event logs, with the error the client reads (null when none). */
    private void statementEnded(String key, String outcome, String error) {
        Statement st = statements.remove(key);
        if (st != null) {
            locator.metrics().statementEnded(st.user(), outcome.toLowerCase(java.util.Locale.ROOT),
                    Duration.ofNanos(System.nanoTime() - st.startNanos()));
            ServerSession s = st.session();
            locator.events().statementEnded(new OperationEvent(st.statementId(), s.id().toString(), st.user(),
                    s.client() == null ? null : s.client().clientAddress(), st.text(),
                    "TIMEDOUT".equals(outcome) ? "TIMEOUT" : outcome, st.createTime(), clock.millis(), error));
        }
    }

    @Override
    public TCancelOperationResp CancelOperation(TCancelOperationReq req) {
        return onOperation(req.getOperationHandle(), TCancelOperationResp.class, "CancelOperation",
                c -> c.CancelOperation(req));
    }

    @Override
    public TCloseOperationResp CloseOperation(TCloseOperationReq req) {
        String known = Handles.key(req.getOperationHandle());
        ServerSession held = operations.get(known);
        if (held != null) {
            // an operation of a session held here: forgotten now, closed on the engine in the background
            ServerSession s;
            try {
                s = ownedSessionOf(req.getOperationHandle());
            } catch (SessionRefusedException e) {
                return new TCloseOperationResp(Statuses.error(e.getMessage()));
            }
            if (s == held && operations.remove(known, held)) {
                held.forgetOperation(known);
                statementEnded(known, "closed");
                closes.submit("Closing operation " + known + " on its engine", () -> {
                    TStatus status = held.engine().call("CloseOperation", c -> c.CloseOperation(req)).getStatus();
                    if (!Statuses.isOk(status)) LOG.debug("CloseOperation on the engine: {}", status.getErrorMessage());
                });
                return new TCloseOperationResp(Statuses.ok());
            }
        }
        TCloseOperationResp resp = onOperation(req.getOperationHandle(), TCloseOperationResp.class,
                "CloseOperation", c -> c.CloseOperation(req));
        String key = Handles.key(req.getOperationHandle());
        ServerSession s = operations.remove(key);
        if (s != null) {
            s.forgetOperation(key);
            statementEnded(key, "closed");
        }
        return resp;
    }

    @Override
    public TGetResultSetMetadataResp GetResultSetMetadata(TGetResultSetMetadataReq req) {
        return onOperation(req.getOperationHandle(), TGetResultSetMetadataResp.class, "GetResultSetMetadata",
                c -> c.GetResultSetMetadata(req));
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
        return onOperation(req.getOperationHandle(), TFetchResultsResp.class, "FetchResults",
                c -> c.FetchResults(req));
    }

    @Override
    public TGetQueryIdResp GetQueryId(TGetQueryIdReq req) {
        return onOperation(req.getOperationHandle(), TGetQueryIdResp.class, "GetQueryId", c -> c.GetQueryId(req));
    }

    // ---------------------------------------------------------------- SessionManager

    @Override
    public int openSessionCount() {
        return sessions.size() + opening.get();
    }

    /** Whether new sessions are refused (a drain has begun). */
    boolean refusing() {
        return refusal != null;
    }

    @Override
    public List<SessionInfo> sessions() {
        return sessions.values().stream().map(ServerSession::info).toList();
    }

    @Override
    public boolean refusingNewSessions() {
        return refusing();
    }

    @Override
    public void refuseNewSessions(String message) {
        refusal = message == null || message.isBlank() ? DRAINING : message;
        locator.metrics().draining(true);
        LOG.info("New sessions are refused from now on: {}", refusal);
        handOverPerRequestSessions();
    }

    /**
     * A draining server lets go of the sessions of HTTP clients without closing them: their records stay, and their
     * next requests continue them on whichever server the balancer picks (this one too, while it still runs,
     * without holding them again). Binary-transport sessions stay: their clients cannot move within a connection.
     */
    private void handOverPerRequestSessions() {
        int handed = 0;
        for (ServerSession s : new ArrayList<>(sessions.values())) {
            if (s.client() == null || !s.client().perRequest()) continue;
            if (sessions.remove(s.key()) == null) continue;
            s.releasePermit(); // no longer held here: the next server that continues it holds it
            for (String op : s.operations()) {
                operations.remove(op);
                statementEnded(op, "closed");
            }
            handed++;
        }
        if (handed > 0) {
            LOG.info("{} HTTP session(s) handed over: their records stay for the next server of the namespace", handed);
        }
    }

    @Override
    public boolean closeSession(String id) {
        for (ServerSession s : sessions.values()) {
            if (s.id().toString().equals(id)) {
                close(s, "closed on request (an operator, or the end of a drain)");
                return true;
            }
        }
        return false;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }
}
