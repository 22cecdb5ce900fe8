package kitsune.session.impl;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.hive.service.rpc.thrift.TGetInfoReq;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkPaths;
import kitsune.internal.threads.NamedThreads;
import kitsune.thrift.ClientContext;
import kitsune.thrift.Statuses;

/**
 * What lets a session outlive its server: its record in ZooKeeper ({@link SessionRecords}) written when it opens,
 * rewritten when another server holds it, removed when it closes; continuing a session from its record (caller,
 * handle and engine checked); and sweeping the records of sessions nobody came back for. The session manager keeps
 * its sessions; this class keeps their records.
 */
final class SessionContinuity {
    private static final Logger LOG = LoggerFactory.getLogger(SessionContinuity.class);

    private final EngineLocator locator;
    private final EngineChannels channels;
    private final Clock clock;
    private final String serverName;

    SessionContinuity(EngineLocator locator, EngineChannels channels, Clock clock, String serverName) {
        this.locator = locator;
        this.channels = channels;
        this.clock = clock;
        this.serverName = serverName;
    }

    /**
     * Records are written and removed in the background, off the client's way (a ZooKeeper write is a round trip
     * and a disk sync on the ensemble): a session's record is removed only after its write finished, so the two never
     * cross. Bounded: when ZooKeeper falls behind so far, a session goes without a record (logged) rather than a
     * client waiting.
     */
    private ThreadPoolExecutor writer;
    private static final int WRITES_QUEUED_MAX = 10_000;

    /** Starts the background writer of records. */
    synchronized void start() {
        if (writer != null) return;
        writer = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(WRITES_QUEUED_MAX),
                NamedThreads.daemon("kitsune-session-records"));
        writer.allowCoreThreadTimeOut(true);
    }

    /** Finishes the writes and removals already asked for, waiting at most that long. */
    void stop(Duration wait) {
        ThreadPoolExecutor w;
        synchronized (this) {
            w = writer;
            writer = null;
        }
        BackgroundCloses.finish(w, wait, "session record write(s) left undone at stop: the sweep removes records of "
                + "closed sessions later");
    }

    /** A session opened here: its record, so that any server of the namespace can continue it. */
    void opened(ServerSession s, SessionRecords.Entry entry) {
        s.recordWrite(inBackground(s.id(), "written", () -> write(s.id(), entry)));
    }

    /** A session closed here: its record goes once it has been written. */
    void closed(ServerSession s) {
        s.recordWrite().whenComplete((done, failed) -> inBackground(s.id(), "removed", () -> closed(s.id())));
    }

    private CompletableFuture<Void> inBackground(UUID id, String what, Runnable task) {
        ThreadPoolExecutor w = writer;
        if (w == null) {
            task.run(); // not started (or stopped): in the caller's thread
            return CompletableFuture.completedFuture(null);
        }
        try {
            return CompletableFuture.runAsync(task, w);
        } catch (RejectedExecutionException e) {
            LOG.warn("The record of session {} is not {}: {} ZooKeeper writes are waiting already", id, what,
                    WRITES_QUEUED_MAX);
            return CompletableFuture.completedFuture(null);
        }
    }

    /** A session continued here: its record names this server from now on. */
    void heldHere(ServerSession s) {
        SessionRecords records = records();
        if (records == null) return;
        try {
            records.read(s.id()).ifPresent(r -> {
                write(s.id(), r.heldBy(serverName));
                LOG.info("Resumed session {} of {} for {} on engine {} (opened on {})", s.id(), r.user(),
                        s.client() == null ? "?" : s.client().user() + " from " + s.client().clientAddress(),
                        r.engineNode().hostPort(), r.server());
            });
        } catch (DiscoveryException e) {
            LOG.warn("Session {} continues here, but its record still names its former server: {}", s.id(),
                    e.getMessage());
        }
    }

    /** A session closed: no server may continue it. */
    void closed(UUID id) {
        SessionRecords records = records();
        if (records == null) return;
        try {
            records.delete(id);
        } catch (DiscoveryException | RuntimeException e) {
            LOG.warn("The record of session {} stays in ZooKeeper until it is cleaned up: {}", id, e.getMessage());
        }
    }

    /**
     * The session of that record, for this caller: its record read, the caller and the handle checked, its engine
     * asked whether it still has it. Not held anywhere yet.
     *
     * @param shown the session handle the client showed (its secret half is checked against the record), or null
     *              when it showed an operation's handle, whose secret half names the session
     * @return null when no server knows the session (or the handle names none)
     * @throws SessionRefusedException when it is another user's, or cannot be continued
     */
    ServerSession resume(UUID id, TSessionHandle shown, ClientContext caller, KitsuneConf conf)
            throws SessionRefusedException {
        SessionRecords records = records();
        if (records == null) return null;
        SessionRecords.Entry r;
        try {
            Optional<SessionRecords.Entry> found = records.read(id);
            if (found.isEmpty()) return null;
            r = found.get();
        } catch (DiscoveryException e) {
            throw new SessionRefusedException("Cannot resume session " + id + ": " + e.getMessage());
        }
        if (shown != null && !r.matches(shown)) return null; // a guid without its secret half names nothing
        if (caller == null || !r.usableBy(caller.user())) {
            LOG.warn("{} from {} tried to resume session {} of {}: refused", caller == null ? "?" : caller.user(),
                    caller == null ? "?" : caller.clientAddress(), id, r.user());
            throw new SessionRefusedException("Invalid SessionHandle: the session belongs to another user");
        }
        ServiceNode node = r.engineNode();
        KitsuneConf userConf = conf.forUser(r.user());
        EngineChannel channel = channels.of(node, userConf);
        TSessionHandle engineHandle = r.engineHandle();
        try {
            TGetInfoResp info = channel.call("GetInfo", userConf.get(ConfigKeys.ENGINE_LOGIN_TIMEOUT),
                    c -> c.GetInfo(new TGetInfoReq(engineHandle, TGetInfoType.CLI_DBMS_NAME)));
            if (!Statuses.isOk(info.getStatus())) {
                closed(id);
                throw new SessionRefusedException("Invalid SessionHandle: session " + id + " was closed on its engine"
                        + " at " + node.hostPort() + " (" + info.getStatus().getErrorMessage() + ")");
            }
        } catch (EngineCallException e) {
            if (EngineConnection.refused(e)) closed(id);
            throw new SessionRefusedException("Cannot resume session " + id + ": its engine at " + node.hostPort()
                    + " is gone (" + e.getMessage() + "); open a new session");
        }
        ServerSession s = new ServerSession(id, r.user(), r.login(), caller, channel, engineHandle, clock.instant(),
                r.handleSecretHash());
        s.markResumed();
        // the session's own setting stayed with the server that opened it: this server's applies
        s.serverAnswersInfo(ServerInfo.answeredByServer(userConf));
        return s;
    }

    /**
     * Removes the records of sessions nobody came back for: their server died, and their engine closed them after
     * kyuubi.session.idle.timeout (or the engine is gone). One server of the namespace at a time, at most every
     * twice the idle timeout: asking an engine about a session counts as a call on it, so asking more often would
     * keep abandoned sessions alive.
     */
    void sweep(KitsuneConf conf, Predicate<UUID> heldHere) {
        Duration idle = conf.get(ConfigKeys.SESSION_IDLE_TIMEOUT);
        Discovery discovery = locator.discovery();
        if (idle.isZero() || discovery == null) return;
        String root = ZkPaths.sessionsPath(discovery.namespace());
        long now = clock.millis();
        try {
            discovery.withLock(root + "_sweep_lock", Duration.ofSeconds(1), () -> {
                String marker = root + "_swept";
                Optional<byte[]> last = discovery.read(marker);
                if (last.isPresent() && now - Long.parseLong(new String(last.get(), StandardCharsets.US_ASCII))
                        < idle.multipliedBy(2).toMillis()) {
                    return null;
                }
                discovery.write(marker, Long.toString(now).getBytes(StandardCharsets.US_ASCII));
                SessionRecords records = new SessionRecords(discovery);
                int removed = 0;
                for (String child : discovery.children(root)) {
                    UUID id;
                    try {
                        id = UUID.fromString(child);
                    } catch (IllegalArgumentException e) {
                        continue;
                    }
                    if (heldHere.test(id)) continue;
                    Optional<SessionRecords.Entry> r = records.read(id);
                    if (r.isPresent() && !stillOnItsEngine(r.get(), conf)) {
                        records.delete(id);
                        removed++;
                    }
                }
                if (removed > 0) LOG.info("Removed {} record(s) of sessions their engines no longer have", removed);
                return null;
            });
        } catch (DiscoveryException e) {
            LOG.debug("Session records not swept now: {}", e.getMessage()); // another server sweeps, or no ZooKeeper
        } catch (Exception e) {
            LOG.warn("Sweeping session records failed", e);
        }
    }

    /** False when the engine says the session is closed, or nothing listens at its address any more. */
    private boolean stillOnItsEngine(SessionRecords.Entry r, KitsuneConf conf) {
        ServiceNode node = r.engineNode();
        KitsuneConf userConf = conf.forUser(r.user());
        EngineCallException failed = null;
        for (int attempt = 0; attempt < 2; attempt++) { // a pooled connection may have died with the engine
            try {
                TGetInfoResp info = channels.of(node, userConf).call("GetInfo", userConf.get(
                        ConfigKeys.ENGINE_LOGIN_TIMEOUT), c -> c.GetInfo(new TGetInfoReq(r.engineHandle(),
                                TGetInfoType.CLI_DBMS_NAME)));
                return Statuses.isOk(info.getStatus());
            } catch (EngineCallException e) {
                failed = e;
            }
        }
        return !EngineConnection.refused(failed);
    }

    private SessionRecords records() {
        Discovery discovery = locator.discovery();
        return discovery == null ? null : new SessionRecords(discovery);
    }

    private void write(UUID id, SessionRecords.Entry entry) {
        SessionRecords records = records();
        if (records == null) return;
        try {
            records.write(id, entry);
        } catch (DiscoveryException | RuntimeException e) {
            LOG.warn("Session {} has no record in ZooKeeper, so no other server can continue it: {}", id,
                    e.getMessage());
        }
    }
}
