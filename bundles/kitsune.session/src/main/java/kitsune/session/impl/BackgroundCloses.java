package kitsune.session.impl;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.internal.threads.NamedThreads;

/**
 * Closes on engines that a client need not wait for: once the server has forgotten a session or an operation, the
 * client's CloseSession or CloseOperation is answered, and the engine is told in the background. Bounded: when
 * closes pile up beyond {@link #QUEUED_MAX}, the caller's thread closes itself, as before. A stop finishes the closes
 * already asked for, waiting a bounded time.
 */
final class BackgroundCloses {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundCloses.class);
    private static final int QUEUED_MAX = 10_000;

    /** One close on an engine. */
    interface Close {
        void run() throws EngineCallException;
    }

    private ThreadPoolExecutor pool; // guarded by this

    synchronized void start() {
        if (pool != null) return;
        pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUED_MAX),
                NamedThreads.daemon("kitsune-engine-closes"));
        pool.allowCoreThreadTimeOut(true);
    }

    /** Whether a close submitted now runs in the background (started, and fewer than the bound wait). */
    boolean hasRoom() {
        ThreadPoolExecutor p;
        synchronized (this) {
            p = pool;
        }
        return p != null && !p.isShutdown() && p.getQueue().remainingCapacity() > 0;
    }

    /** Runs it in the background, or now when not started or too many wait. */
    void submit(String what, Close close) {
        ThreadPoolExecutor p;
        synchronized (this) {
            p = pool;
        }
        Runnable task = () -> {
            try {
                close.run();
            } catch (EngineCallException e) {
                LOG.warn("{}: {}", what, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("{} failed", what, e);
            }
        };
        if (p != null) {
            try {
                p.execute(task);
                return;
            } catch (RejectedExecutionException e) {
                // stopping, or closes pile up: close in this thread
            }
        }
        task.run();
    }

    /** Finishes the closes already asked for, waiting at most that long. */
    void stop(Duration wait) {
        ThreadPoolExecutor p;
        synchronized (this) {
            p = pool;
            pool = null;
        }
        finish(p, wait, "close(s) on engines left undone at stop: the engines close those sessions when idle");
    }

    /**
     * Lets the tasks already submitted to a pool run, waiting at most that long, then drops the rest with one WARN
     * line (what: what is left undone and what becomes of it).
     */
    static void finish(ThreadPoolExecutor p, Duration wait, String what) {
        if (p == null) return;
        p.shutdown();
        try {
            if (!p.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} {}", p.getQueue().size() + p.getActiveCount(), what);
                p.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
