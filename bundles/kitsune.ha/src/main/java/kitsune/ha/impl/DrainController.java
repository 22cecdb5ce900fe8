package kitsune.ha.impl;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.session.SessionManager;

/**
 * The seam between "this server was de-registered" and "the server stops": refuse new sessions, wait for the open
 * ones to finish (one log line per tick), then stop the server. Kyuubi waits without an upper bound; so does this
 * first version (a bounded drain is a later issue: add the bound here).
 */
final class DrainController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrainController.class);
    static final Duration DEFAULT_TICK = Duration.ofSeconds(10);
    static final String REFUSAL = "This server has been de-registered from ZooKeeper and is shutting down after its "
            + "last session; it accepts no new sessions. Connect through ZooKeeper service discovery to reach "
            + "another server.";

    private final Supplier<SessionManager> sessions;
    private final Duration tick;
    private final Runnable stopServer;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile ScheduledExecutorService scheduler;

    /**
     * @param sessions   the session manager now, or null when none is bound (then no session can be open)
     * @param stopServer stops the whole server (the OSGi framework in the bundle)
     */
    DrainController(Supplier<SessionManager> sessions, Duration tick, Runnable stopServer) {
        this.sessions = sessions;
        this.tick = tick;
        this.stopServer = stopServer;
    }

    boolean draining() {
        return draining.get();
    }

    boolean stopRequested() {
        return stopped.get();
    }

    /** Starts the drain (once). */
    void start(String hostPort) {
        if (!draining.compareAndSet(false, true)) return;
        refuse(sessions.get());
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kitsune-drain");
            t.setDaemon(true);
            return t;
        });
        scheduler = s;
        long ms = Math.max(1, tick.toMillis());
        s.scheduleWithFixedDelay(this::tick, 0, ms, TimeUnit.MILLISECONDS);
        LOG.info("Draining {}: new sessions are refused; checking open sessions every {} ms", hostPort, ms);
    }

    /** A session manager appeared (e.g. its bundle was updated) while draining: it refuses new sessions too. */
    void sessionManagerBound(SessionManager sm) {
        if (draining.get()) refuse(sm);
    }

    private static void refuse(SessionManager sm) {
        if (sm == null) return;
        try {
            sm.refuseNewSessions(REFUSAL);
        } catch (RuntimeException e) {
            LOG.warn("The session manager could not be told to refuse new sessions: {}", e.toString());
        }
    }

    private void tick() {
        if (stopped.get()) return;
        int open;
        try {
            SessionManager sm = sessions.get();
            open = sm == null ? 0 : sm.openSessionCount();
        } catch (RuntimeException e) {
            LOG.warn("Could not count open sessions: {}", e.toString());
            return;
        }
        if (open > 0) {
            LOG.info("{} session(s) are open, delaying shutdown", open);
            return;
        }
        if (stopped.compareAndSet(false, true)) {
            LOG.info("No session is open: stopping the server");
            ScheduledExecutorService s = scheduler;
            if (s != null) s.shutdown();
            stopServer.run();
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
