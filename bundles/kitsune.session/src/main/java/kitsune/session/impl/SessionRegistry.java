package kitsune.session.impl;

import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.KitsuneConf;
import kitsune.thrift.Callers;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Handles;
import kitsune.thrift.Statuses;

/**
 * The sessions this server holds and their operations, by handle key; who may use them (a handle of another user's
 * session is refused); and the sessions another server of the namespace opened, continued here from their records
 * ({@link SessionContinuity}).
 */
final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    /**
     * How many sessions, and how many operations, the server closed on its own are remembered with the reason, for the
     * owner's next call with the handle. A number, not a time: a client that opens and abandons sessions as fast as it
     * can cannot make the memory grow past it (an entry is a few hundred bytes: some megabytes at most), while a time
     * bound would hold as many entries as such a client makes in that time.
     */
    static final int SERVER_CLOSED_REMEMBERED = 10_000;

    private final Map<String, ServerSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, ServerSession> operations = new ConcurrentHashMap<>();
    private final SessionContinuity continuity;
    private final DrainAdmission drain;
    private final Supplier<KitsuneConf> conf;
    private final Clock clock;
    /** Why sessions the server closed are gone, by key: the most recent ones. */
    private final Map<String, Closed> closedSessions = recentlyClosed();
    /** Why operations closed for idleness are gone, by key: the most recent ones. */
    private final Map<String, Closed> idleClosed = recentlyClosed();

    /**
     * A session or operation the server closed: why, and who may be told (its owner; for a session also only with
     * its whole handle, the secret half included).
     */
    private record Closed(String why, String user, String login, String secretHash) {
        boolean toldTo(ClientContext caller, TSessionHandle shown) {
            if (secretHash != null && !SessionRecords.sameHash(SessionRecords.Entry.hash(shown), secretHash)) {
                return false;
            }
            // calls without a known caller (tests, the console) are not checked, as for open sessions
            return caller == null || caller.user() == null || caller.user().equals(user)
                    || caller.user().equals(login);
        }
    }

    private static Map<String, Closed> recentlyClosed() {
        return Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Closed> eldest) {
                return size() > SERVER_CLOSED_REMEMBERED;
            }
        });
    }

    SessionRegistry(SessionContinuity continuity, DrainAdmission drain, Supplier<KitsuneConf> conf, Clock clock) {
        this.continuity = continuity;
        this.drain = drain;
        this.conf = conf;
        this.clock = clock;
    }

    void add(ServerSession s) {
        sessions.put(s.key(), s);
    }

    /** Forgets it; false when it was not held here (closed concurrently, or never held). */
    boolean remove(ServerSession s) {
        return sessions.remove(s.key()) != null;
    }

    Collection<ServerSession> all() {
        return sessions.values();
    }

    int size() {
        return sessions.size();
    }

    boolean holds(UUID id) {
        return sessions.containsKey(Handles.key(Handles.newIdentifier(id)));
    }

    /** The channels the sessions held here use (the others may be closed when idle). */
    Set<EngineChannel> inUseChannels() {
        Set<EngineChannel> used = Collections.newSetFromMap(new IdentityHashMap<>());
        sessions.values().forEach(s -> {
            EngineChannel e = s.engine();
            if (e != null) used.add(e);
        });
        return used;
    }

    // ---------------------------------------------------------------- operations

    /** A new operation of that session's, by its handle (its secret half set to the session's id). */
    void addOperation(ServerSession s, TOperationHandle op) {
        // the handle's secret (engines name operations by guid alone) carries the session's id, so that any
        // server of the namespace can find the session of an operation it has not seen
        op.getOperationId().setSecret(uuidBytes(s.id()));
        String key = Handles.key(op);
        operations.put(key, s);
        s.addOperation(key, op, clock.instant());
    }

    ServerSession sessionOfOperation(String key) {
        return operations.get(key);
    }

    /** Forgets that operation if it is (still) that session's; false when it was not. */
    boolean removeOperation(String key, ServerSession s) {
        if (!operations.remove(key, s)) return false;
        s.forgetOperation(key);
        return true;
    }

    /** Forgets that operation, whichever session's; returns the session, or null. */
    ServerSession removeOperation(String key) {
        ServerSession s = operations.remove(key);
        if (s != null) s.forgetOperation(key);
        return s;
    }

    /** Remembers why an operation of that session's was closed for idleness, for a later call with its handle. */
    void idleClosed(String key, ServerSession s, String why) {
        idleClosed.put(key, new Closed(why, s.user(), s.login(), null));
    }

    /** Remembers why the server closed that session, for its owner's next call with its handle. */
    void serverClosed(ServerSession s, String why) {
        closedSessions.put(s.key(), new Closed("session " + s.id() + " was closed by the server: " + why, s.user(),
                s.login(), s.secretHash()));
    }

    // ---------------------------------------------------------------- owners and records

    /**
     * The session of that handle for the current caller: held here, or resumed from its record when another server
     * of the namespace opened it; null when no server knows it.
     *
     * @throws SessionRefusedException when it is another user's, or known but cannot be continued
     */
    ServerSession ownedSession(TSessionHandle handle) throws SessionRefusedException {
        ServerSession s = sessions.get(Handles.key(handle));
        if (s == null) {
            UUID id = handle == null ? null : Handles.uuid(handle.getSessionId());
            s = id == null ? null : resume(id, handle);
        }
        if (s != null && !s.isHandle(handle)) return null; // the guid without its secret half names nothing
        return s == null ? null : checkOwner(s);
    }

    /** The session of that operation for the current caller, as {@link #ownedSession}. */
    ServerSession ownedSessionOf(TOperationHandle handle) throws SessionRefusedException {
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
                if (s != null && !drain.refusing()) {
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
        ServerSession s = continuity.resume(id, shown, Callers.current(), conf.get());
        if (s == null || drain.refusing()) {
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
        if (drain.refusing()) return;
        continuity.sweep(conf.get(), this::holds);
    }

    /**
     * The answer to a handle that names no session: why the server closed it, to its owner showing its whole handle;
     * to anyone else, as for a handle never seen.
     */
    TStatus invalidSession(TSessionHandle h) {
        Closed closed = h == null ? null : closedSessions.get(Handles.key(h));
        if (closed != null && closed.toldTo(Callers.current(), h)) {
            return Statuses.error("Invalid SessionHandle: " + closed.why());
        }
        return Statuses.error("Invalid SessionHandle: " + describe(h == null ? null : h.getSessionId()));
    }

    /** As {@link #invalidSession}, for an operation handle. */
    TStatus invalidOperation(TOperationHandle h) {
        Closed closed = h == null ? null : idleClosed.get(Handles.key(h));
        if (closed != null && closed.toldTo(Callers.current(), null)) {
            return Statuses.error("Invalid OperationHandle: " + closed.why());
        }
        return unknownOperation(h);
    }

    private static TStatus unknownOperation(TOperationHandle h) {
        return Statuses.error("Invalid OperationHandle: " + describe(h == null ? null : h.getOperationId()));
    }

    static String describe(THandleIdentifier id) {
        UUID u = Handles.uuid(id);
        return u != null ? u.toString() : Handles.key(id);
    }

    private static byte[] uuidBytes(UUID u) {
        return java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array();
    }
}
