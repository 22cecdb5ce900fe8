package kitsune.engine.spark;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's sessions and operations by handle, the sessions of each client connection (closed when it drops;
 * sessions a Kitsune server pools belong to no connection and end with CloseSession or their idle timeout), and the
 * idle clock the engine's self-stop reads. Refuses new sessions once the engine drains.
 */
final class EngineSessions {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSessions.class);

    /** Told when a session closed, with the number still open. */
    interface Listener {
        void sessionClosed(int remaining);
    }

    private final SparkSession root;
    private final Listener listener;
    private final Map<UUID, EngineSession> sessions = new ConcurrentHashMap<>();
    private final Map<UUID, Operation> operations = new ConcurrentHashMap<>();
    private final Map<String, Set<UUID>> byConnection = new ConcurrentHashMap<>();
    private volatile boolean accepting = true;
    private volatile long idleSinceMillis = System.currentTimeMillis();
    /**
     * Spark sessions built ahead of need: a new SparkSession's state (SQL conf, analyzer, its copy of the function
     * registry, session catalog) is built on its first use, milliseconds a first statement would otherwise pay.
     * Never used before they are handed out, so no state passes from one session to another.
     */
    static final int READY_SESSIONS = 2;
    private final ConcurrentLinkedDeque<SparkSession> ready = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean preparing = new AtomicBoolean();
    private volatile boolean prepareAhead;

    private final Executor background;

    /** @param background where sessions are prepared ahead (a few milliseconds each) */
    EngineSessions(SparkSession root, Listener listener, Executor background) {
        this.root = root;
        this.listener = listener;
        this.background = background;
    }

    /** From now on, keeps {@link #READY_SESSIONS} sessions built ahead (called once the catalog is open). */
    void prepareAhead() {
        prepareAhead = true;
        refill();
    }

    private SparkSession freshSession() {
        SparkSession s = ready.pollFirst();
        refill();
        return s != null ? s : root.newSession();
    }

    private void refill() {
        if (!prepareAhead || !accepting || ready.size() >= READY_SESSIONS || !preparing.compareAndSet(false, true)) {
            return;
        }
        background.execute(() -> {
            try {
                while (accepting && ready.size() < READY_SESSIONS) {
                    SparkSession s = root.newSession();
                    s.sql("SELECT 1"); // builds its state and analyzer now; runs nothing
                    ready.addLast(s);
                }
            } catch (RuntimeException e) {
                LOG.warn("Preparing a session ahead failed; sessions are built when they open", e);
            } finally {
                preparing.set(false);
            }
        });
    }

    EngineSession open(String user, String connectionId, TProtocolVersion protocol, Map<String, String> conf) {
        if (!accepting) {
            throw new IllegalStateException("This engine is de-registered and stops after its last session; "
                    + "connect again to get a new engine");
        }
        EngineSession session = new EngineSession(user, connectionId, protocol, freshSession());
        session.applyConfiguration(conf);
        sessions.put(session.id(), session);
        if (connectionId != null) {
            byConnection.computeIfAbsent(connectionId, c -> ConcurrentHashMap.newKeySet()).add(session.id());
        }
        LOG.info("Opened session {} for user {} (protocol {}, {} variable(s)); {} session(s) open", session.id(),
                session.user(), protocol, session.variables().size(), sessions.size());
        return session;
    }

    EngineSession get(TSessionHandle handle) {
        EngineSession s = sessions.get(Operation.idOf(handle.getSessionId()));
        if (s == null) throw new IllegalArgumentException("Invalid SessionHandle: unknown or closed session");
        s.touch();
        return s;
    }

    void close(TSessionHandle handle) {
        close(get(handle).id());
    }

    private void close(UUID id) {
        EngineSession s = sessions.remove(id);
        if (s == null) return;
        Set<UUID> ofConnection = s.connectionId() == null ? null : byConnection.get(s.connectionId());
        if (ofConnection != null) ofConnection.remove(id);
        s.close();
        operations.values().removeIf(op -> op.session() == s);
        int remaining = sessions.size();
        if (remaining == 0) idleSinceMillis = System.currentTimeMillis();
        LOG.info("Closed session {}; {} session(s) open", id, remaining);
        listener.sessionClosed(remaining);
    }

    /** The client's connection is gone: its sessions can never be used again. */
    void connectionClosed(String connectionId) {
        Set<UUID> ids = byConnection.remove(connectionId);
        if (ids == null) return;
        for (UUID id : ids) close(id);
    }

    void addOperation(Operation op) {
        if (operations.putIfAbsent(op.id(), op) != null) {
            throw new IllegalArgumentException("Operation id " + op.id() + " is in use already");
        }
        op.session().addOperation(op);
    }

    Operation operation(TOperationHandle handle) {
        Operation op = operations.get(Operation.idOf(handle.getOperationId()));
        if (op == null) throw new IllegalArgumentException("Invalid OperationHandle: unknown or closed operation");
        op.session().touch();
        return op;
    }

    void closeOperation(TOperationHandle handle) {
        Operation op = operation(handle);
        operations.remove(op.id());
        op.session().removeOperation(op);
        op.close();
    }

    /**
     * Closes the sessions without a call for that long and with nothing running: those whose client (or server)
     * went away without closing them.
     */
    void closeIdle(Duration timeout) {
        if (timeout.isZero()) return;
        long cutoff = System.currentTimeMillis() - timeout.toMillis();
        for (EngineSession s : sessions.values()) {
            if (s.lastAccessMillis() < cutoff && !s.busy()) {
                LOG.info("Closing session {} of {}: no call for {} (kyuubi.session.idle.timeout)", s.id(), s.user(),
                        timeout);
                close(s.id());
            }
        }
    }

    int count() {
        return sessions.size();
    }

    /** When the last session closed (or the engine started); meaningful while count() is 0. */
    long idleSinceMillis() {
        return idleSinceMillis;
    }

    void stopAccepting() {
        accepting = false;
    }

    /** Closes every session at engine stop. */
    void closeAll() {
        for (UUID id : sessions.keySet()) close(id);
    }
}
