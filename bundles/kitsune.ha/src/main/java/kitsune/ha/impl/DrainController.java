package kitsune.ha.impl;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;
import kitsune.internal.threads.NamedThreads;

/**
 * The seam between "this server leaves" and "the server stops": refuse new sessions, wait for the open ones to
 * finish, then (optionally) stop the server. The wait is bounded: when the bound passes, the sessions still open
 * are closed (their engines keep running) and the drain ends anyway. No bound = wait as long as it takes (Kyuubi).
 *
 * <p>Open sessions are checked every {@code check} (1 s in the server, so that the server stops soon after its last
 * session); a line with the open-session count is logged at the first check, whenever the count changes and at
 * least every {@code tick} (10 s).
 */
final class DrainController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrainController.class);
    static final Duration DEFAULT_TICK = Duration.ofSeconds(10);
    static final Duration DEFAULT_CHECK = Duration.ofSeconds(1);
    static final String REFUSAL = "This server has been de-registered from ZooKeeper and is shutting down after its "
            + "last session; it accepts no new sessions. Connect through ZooKeeper service discovery to reach "
            + "another server.";

    private final Supplier<SessionManager> sessions;
    private final Duration tick;
    private final Duration check;
    private final Runnable stopServer;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile ScheduledExecutorService scheduler;

    // guarded by this
    private long deadline = Long.MAX_VALUE; // System.nanoTime() value; MAX = no bound
    private String boundName = "";
    private boolean stopServerWhenDone;
    private int forced;
    private int lastLogged = -1;
    private long lastLogNanos;

    /**
     * @param sessions   the session manager now, or null when none is bound (then no session can be open)
     * @param stopServer stops the whole server (the OSGi framework in the bundle)
     */
    DrainController(Supplier<SessionManager> sessions, Duration tick, Runnable stopServer) {
        this(sessions, tick, tick.compareTo(DEFAULT_CHECK) < 0 ? tick : DEFAULT_CHECK, stopServer);
    }

    DrainController(Supplier<SessionManager> sessions, Duration tick, Duration check, Runnable stopServer) {
        this.sessions = sessions;
        this.tick = tick;
        this.check = check;
        this.stopServer = stopServer;
    }

    boolean draining() {
        return draining.get();
    }

    boolean stopRequested() {
        return stopped.get();
    }

    /** Starts an unbounded drain that stops the server at its end (once). */
    void start(String hostPort) {
        start(hostPort, null, "", true);
    }

    /**
     * Starts the drain, or, when one runs, brings its end forward to {@code bound} from now (never later).
     *
     * @param bound     longest wait from now; null = without bound
     * @param boundName the key that set the bound, for the log
     * @param stopWhenDone stop the server when the drain ends
     */
    void start(String hostPort, Duration bound, String boundName, boolean stopWhenDone) {
        boolean first = draining.compareAndSet(false, true);
        synchronized (this) {
            if (stopWhenDone) stopServerWhenDone = true;
            if (bound != null) setDeadline(bound, boundName);
        }
        if (!first) {
            if (bound == null) return;
            LOG.info("Draining {}: the drain now ends after {} at the latest ({})", hostPort, bound, boundName);
            ScheduledExecutorService s = scheduler;
            if (s != null && !s.isShutdown()) {
                try {
                    s.execute(this::tick);
                } catch (java.util.concurrent.RejectedExecutionException ignore) {
                    // finished meanwhile
                }
            }
            return;
        }
        refuse(sessions.get());
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("kitsune-drain"));
        scheduler = s;
        long ms = Math.max(1, check.toMillis());
        LOG.info("Draining {}: new sessions are refused; waiting for the open sessions ({})", hostPort,
                bound == null ? "without bound" : "at most " + bound + ", " + boundName);
        s.scheduleWithFixedDelay(this::tick, 0, ms, TimeUnit.MILLISECONDS);
    }

    private void setDeadline(Duration bound, String name) {
        long d = System.nanoTime() + Math.max(0, bound.toNanos());
        if (d < deadline) {
            deadline = d;
            boundName = name;
        }
    }

    /** Waits until the drain has ended (every session closed, or closed by force). */
    boolean await(Duration timeout) throws InterruptedException {
        return done.await(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Sessions closed because the bound passed. */
    synchronized int forced() {
        return forced;
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
        SessionManager sm;
        int open;
        try {
            sm = sessions.get();
            open = sm == null ? 0 : sm.openSessionCount();
        } catch (RuntimeException e) {
            LOG.warn("Could not count open sessions: {}", e.toString());
            return;
        }
        if (open == 0) {
            finish("No session is open: the drain is over");
            return;
        }
        long now = System.nanoTime();
        long end;
        String name;
        synchronized (this) {
            end = deadline;
            name = boundName;
            if (open != lastLogged || now - lastLogNanos >= tick.toNanos()) {
                lastLogged = open;
                lastLogNanos = now;
                String left = end == Long.MAX_VALUE ? ""
                        : " (at most " + Math.max(0, TimeUnit.NANOSECONDS.toSeconds(end - now)) + " s more)";
                LOG.info("{} session(s) are open, delaying shutdown{}", open, left);
            }
        }
        if (end != Long.MAX_VALUE && now - end >= 0) {
            LOG.warn("The drain bound {} has passed with {} session(s) still open: closing them and stopping", name,
                    open);
            int closed = closeAll(sm);
            synchronized (this) {
                forced += closed;
            }
            finish("Closed " + closed + " session(s) when the drain bound passed: the drain is over");
        }
    }

    private static int closeAll(SessionManager sm) {
        if (sm == null) return 0;
        int closed = 0;
        List<SessionInfo> open;
        try {
            open = sm.sessions();
        } catch (RuntimeException e) {
            LOG.warn("Could not list the open sessions: {}", e.toString());
            return 0;
        }
        for (SessionInfo s : open) {
            try {
                if (sm.closeSession(s.id())) closed++;
            } catch (RuntimeException e) {
                LOG.warn("Could not close session {}: {}", s.id(), e.toString());
            }
        }
        return closed;
    }

    private void finish(String message) {
        if (!stopped.compareAndSet(false, true)) return;
        boolean stop;
        synchronized (this) {
            stop = stopServerWhenDone;
        }
        LOG.info(stop ? message + "; stopping the server" : message);
        ScheduledExecutorService s = scheduler;
        if (s != null) s.shutdown();
        done.countDown();
        if (stop) stopServer.run();
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
