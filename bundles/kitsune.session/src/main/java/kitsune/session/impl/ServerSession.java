package kitsune.session.impl;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TSessionHandle;

import kitsune.api.session.SessionInfo;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Handles;

/**
 * One client session: the server's own handle, mapped to a session on the engine, reached through the server's
 * channel to that engine (no connection of its own). Operation handles are the engine's, passed to the client unchanged; the session keeps their keys so
 * that closing it forgets them.
 */
final class ServerSession {
    private final UUID id;
    private final TSessionHandle handle;
    private final String user;
    private final String login;
    private final String secretHash;
    /** Opened by another server and continued here: its operations may be older than this server's knowledge. */
    private volatile boolean resumed;
    private final ClientContext client;
    /** The channel to its engine and its session there; null until an asynchronous binding completes. */
    private volatile EngineChannel engine;
    private volatile TSessionHandle engineHandle;
    /**
     * Completes once the session is bound to its engine (at once for a session bound at OpenSession); completed
     * exceptionally with {@link BindingFailed} when finding, launching or opening the engine failed.
     */
    private final CompletableFuture<Void> bound = new CompletableFuture<>();
    /** Closed here: a binding that completes later closes its engine session instead of keeping it. */
    private boolean closed; // guarded by this
    /** The background binding, cancelled when the session closes before it starts. */
    private volatile java.util.concurrent.Future<?> binding;
    private final java.util.concurrent.atomic.AtomicBoolean openedLogged = new java.util.concurrent.atomic.AtomicBoolean();
    private final Instant opened;
    private final Set<String> operations = ConcurrentHashMap.newKeySet();
    private final AtomicInteger callsInFlight = new AtomicInteger();
    private volatile Instant lastAccess;
    /** kyuubi.operation.query.timeout of this session (null: no bound, also for a session continued here). */
    private volatile Duration queryTimeout;
    private final QueryTimeouts timeouts = new QueryTimeouts();
    /** The write of this session's record, which its removal follows (completed when there is none to wait for). */
    private volatile CompletableFuture<Void> recordWrite = CompletableFuture.completedFuture(null);
    /** The limiter's slots of a session opened here (null for one continued from its record). */
    private volatile SessionLimiter.Permit permit;
    /** The engine space serving it (for the audit and event logs; null for a session continued here). */
    private volatile String engineSpace;
    private final AtomicInteger statements = new AtomicInteger();
    /** What finding or launching its engine has said so far, for the log of a statement that waits for it. */
    private final java.util.List<String> bindingNotes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The protocol the client was answered with at OpenSession. */
    private volatile org.apache.hive.service.rpc.thrift.TProtocolVersion clientProtocol =
            org.apache.hive.service.rpc.thrift.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10;

    /**
     * @param user  whose session it is (the proxy user when the login acts for another)
     * @param login who logged in to open it
     */
    ServerSession(UUID id, String user, String login, ClientContext client, EngineChannel engine,
            TSessionHandle engineHandle, Instant now) {
        this(id, user, login, client, engine, engineHandle, now, null);
    }

    /**
     * @param secretHash the hash of the client handle's secret half, from the record of a session continued here;
     *                   null for a session opened here, whose handle is made now
     */
    ServerSession(UUID id, String user, String login, ClientContext client, EngineChannel engine,
            TSessionHandle engineHandle, Instant now, String secretHash) {
        this.id = id;
        this.handle = Handles.newSessionHandle(id);
        this.secretHash = secretHash != null ? secretHash : SessionRecords.Entry.hash(handle);
        this.user = user;
        this.login = login;
        this.client = client;
        this.engine = engine;
        this.engineHandle = engineHandle;
        if (engine != null) bound.complete(null);
        this.opened = now;
        this.lastAccess = now;
    }

    UUID id() {
        return id;
    }

    String key() {
        return Handles.key(handle);
    }

    TSessionHandle handle() {
        return handle;
    }

    String user() {
        return user;
    }

    boolean resumed() {
        return resumed;
    }

    void markResumed() {
        resumed = true;
    }

    /** Whether a handle a client shows is this session's whole handle: its guid and its secret half. */
    boolean isHandle(TSessionHandle shown) {
        return SessionRecords.sameHash(SessionRecords.Entry.hash(shown), secretHash);
    }

    /** The hash of its handle's secret half (see {@link SessionRecords.Entry#hash}). */
    String secretHash() {
        return secretHash;
    }

    /** Whether that login may use this session: its user, or the login that opened it for that user. */
    boolean usableBy(String caller) {
        return caller.equals(user) || caller.equals(login);
    }

    /** The connection (or HTTP request) this session was opened or resumed on; null without one. */
    ClientContext client() {
        return client;
    }

    /** The connection this session was opened on (null for sessions opened without one). */
    String connectionId() {
        return client == null ? null : client.connectionId();
    }

    /** The channel to its engine; null while an asynchronous binding has not completed (see {@link #bound}). */
    EngineChannel engine() {
        return engine;
    }

    /** Why an asynchronous binding failed: the status every call that needs the engine answers with. */
    static final class BindingFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient org.apache.hive.service.rpc.thrift.TStatus status;

        BindingFailed(org.apache.hive.service.rpc.thrift.TStatus status) {
            super(status.getErrorMessage(), null, false, false);
            this.status = status;
        }

        org.apache.hive.service.rpc.thrift.TStatus status() {
            return status;
        }
    }

    /** Completes when the session is bound to its engine, or exceptionally with {@link BindingFailed}. */
    CompletableFuture<Void> bound() {
        return bound;
    }

    /** How long a call waits for an asynchronous binding before it gives up (the binding goes on). */
    private volatile Duration bindWait = Duration.ZERO;

    Duration bindWait() {
        return bindWait;
    }

    void bindWait(Duration wait) {
        bindWait = wait;
    }

    void binding(java.util.concurrent.Future<?> task) {
        binding = task;
    }

    /**
     * Binds it to its engine, unless it was closed meanwhile.
     *
     * @param kept runs (under the session's lock, so that a close waits for it) when the binding is kept
     * @return false when the session was closed first: the caller closes the engine session
     */
    synchronized boolean bindTo(EngineChannel channel, TSessionHandle handle, Runnable kept) {
        if (closed) return false;
        engine = channel;
        engineHandle = handle;
        kept.run();
        bound.complete(null);
        return true;
    }

    void bindingFailed(org.apache.hive.service.rpc.thrift.TStatus status) {
        bound.completeExceptionally(new BindingFailed(status));
    }

    /**
     * Marks it closed; returns whether it is bound to an engine session (which the caller closes). When not, a
     * binding still queued is cancelled, and one running closes its engine session when it completes.
     */
    synchronized boolean markClosed() {
        closed = true;
        if (engine != null) return true;
        java.util.concurrent.Future<?> task = binding;
        if (task != null) task.cancel(false);
        bound.completeExceptionally(new BindingFailed(kitsune.thrift.Statuses.error("Session " + id
                + " was closed before its engine was ready")));
        return false;
    }

    /** True the first time only: the audit and event logs see a session opened once. */
    boolean firstOpenedLog() {
        return openedLogged.compareAndSet(false, true);
    }

    TSessionHandle engineHandle() {
        return engineHandle;
    }

    /** A line about finding or launching its engine (at most {@value #MAX_NOTES} are kept). */
    void bindingNote(String line) {
        if (bindingNotes.size() < MAX_NOTES) bindingNotes.add(line);
    }

    private static final int MAX_NOTES = 50;

    /** The lines about finding or launching its engine so far. */
    java.util.List<String> bindingNotes() {
        return bindingNotes;
    }

    org.apache.hive.service.rpc.thrift.TProtocolVersion clientProtocol() {
        return clientProtocol;
    }

    void clientProtocol(org.apache.hive.service.rpc.thrift.TProtocolVersion protocol) {
        if (protocol != null) clientProtocol = protocol;
    }

    CompletableFuture<Void> recordWrite() {
        return recordWrite;
    }

    void recordWrite(CompletableFuture<Void> write) {
        recordWrite = write;
    }

    void holdPermit(SessionLimiter.Permit p) {
        permit = p;
    }

    /** Gives the session's slots back to the limiter (once, whatever calls it how often). */
    void releasePermit() {
        SessionLimiter.Permit p = permit;
        if (p != null) p.release();
    }

    Set<String> operations() {
        return operations;
    }

    /** An operation of this session's, by key, with when a client last called for it. */
    record Tracked(TOperationHandle handle, Instant lastAccess) {
    }

    private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

    /** A new (or newly seen) operation of this session's. */
    void addOperation(String key, TOperationHandle handle, Instant now) {
        operations.add(key);
        tracked.put(key, new Tracked(handle, now));
    }

    /** A client called for that operation now. */
    void touchOperation(String key, Instant now) {
        tracked.computeIfPresent(key, (k, t) -> new Tracked(t.handle(), now));
    }

    /** The operations no client called for since that instant. */
    Map<String, Tracked> operationsIdleSince(Instant cutoff) {
        Map<String, Tracked> idle = new java.util.HashMap<>();
        tracked.forEach((k, t) -> {
            if (!t.lastAccess().isAfter(cutoff)) idle.put(k, t);
        });
        return idle;
    }

    /**
     * Whether its engine sets hasMoreRows exactly when false ({@link kitsune.api.engine.EngineConf#RESULT_END_EXACT}),
     * said in the engine's OpenSession answer; false for a session continued here (not known, so not trusted).
     */
    private volatile boolean engineSaysResultEnd;
    /** The empty row set that answers the next fetch, by operation, once its engine said the result ended. */
    private final Map<String, org.apache.hive.service.rpc.thrift.TRowSet> resultEnds = new ConcurrentHashMap<>();

    void engineSaysResultEnd(boolean says) {
        engineSaysResultEnd = says;
    }

    /**
     * After a fetch of that operation's result was answered by its engine: remembers the end (empty) when the engine
     * says so and may be trusted with it, forgets it otherwise (a fetch from the start may have begun again).
     */
    void resultFetched(String key, org.apache.hive.service.rpc.thrift.TRowSet empty) {
        if (empty != null && engineSaysResultEnd && tracked.containsKey(key)) {
            resultEnds.put(key, empty);
        } else {
            resultEnds.remove(key);
        }
    }

    /** The empty row set that answers the next fetch of that operation's result, or null to ask the engine. */
    org.apache.hive.service.rpc.thrift.TRowSet resultEnd(String key) {
        return resultEnds.get(key);
    }

    /** Forgets an operation closed or ended. */
    void forgetOperation(String key) {
        operations.remove(key);
        tracked.remove(key);
        resultEnds.remove(key);
        timeouts.forget(key);
        InlineAnswers.Held h = inline.remove(key);
        if (h != null) h.release();
    }

    /** Whether its engine can answer a short statement whole with its ExecuteStatement ({@link InlineAnswers}). */
    private volatile boolean engineInlines;
    /** The whole answers of statements that ended so, by operation, until the operation is closed. */
    private final Map<String, InlineAnswers.Held> inline = new ConcurrentHashMap<>();

    void engineInlines(boolean can) {
        engineInlines = can;
    }

    boolean engineInlines() {
        return engineInlines;
    }

    /** Keeps that operation's whole answer while the operation is this session's; releases it otherwise. */
    void holdInline(String key, InlineAnswers.Held h) {
        if (!tracked.containsKey(key)) {
            h.release();
            return;
        }
        InlineAnswers.Held before = inline.put(key, h);
        if (before != null) before.release();
        // closed meanwhile: forgetOperation may have run before the put
        if (!tracked.containsKey(key) && inline.remove(key, h)) h.release();
    }

    /** The operation's whole answer, or null to ask the engine. */
    InlineAnswers.Held inline(String key) {
        return inline.isEmpty() ? null : inline.get(key);
    }

    private volatile boolean serverAnswersInfo;

    /** kyuubi.server.info.provider=SERVER for this session: its GetInfo is answered by this server. */
    boolean serverAnswersInfo() {
        return serverAnswersInfo;
    }

    void serverAnswersInfo(boolean server) {
        serverAnswersInfo = server;
    }

    Duration queryTimeout() {
        return queryTimeout;
    }

    void queryTimeout(Duration bound) {
        queryTimeout = bound;
    }

    QueryTimeouts timeouts() {
        return timeouts;
    }

    /** Marks the start of a call: the session is not idle while one runs. */
    void enter(Instant now) {
        callsInFlight.incrementAndGet();
        lastAccess = now;
    }

    void exit(Instant now) {
        lastAccess = now;
        callsInFlight.decrementAndGet();
    }

    boolean isIdleSince(Instant cutoff) {
        return callsInFlight.get() == 0 && !lastAccess.isAfter(cutoff);
    }

    String login() {
        return login;
    }

    Instant opened() {
        return opened;
    }

    String engineSpace() {
        return engineSpace;
    }

    void engineSpace(String path) {
        engineSpace = path;
    }

    /** Counts a statement run in it; returns how many so far. */
    int statementRun() {
        return statements.incrementAndGet();
    }

    int statementsRun() {
        return statements.get();
    }

    SessionInfo info() {
        return new SessionInfo(id.toString(), user, client == null ? null : client.clientAddress(),
                engine == null ? null : engine.hostPort(), opened, lastAccess, operations.size());
    }
}
