package kitsune.frontend.thrift.impl;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One thread per client connection, at most {@code maxConnections} at once. Admission is counted here, before a
 * connection is handed to the pool, so that a refused connection can be told why instead of being dropped; the
 * pool itself has a little headroom so that a thread that has just finished its connection but not yet returned
 * to the pool never causes a spurious rejection.
 */
final class WorkerPool extends ThreadPoolExecutor {
    private static final int HEADROOM = 2;
    private final int maxConnections;
    private final AtomicInteger admitted = new AtomicInteger();

    WorkerPool(int minThreads, int maxConnections) {
        super(minThreads, maxConnections + HEADROOM, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "kitsune-thrift-worker");
            t.setDaemon(true);
            return t;
        });
        this.maxConnections = maxConnections;
    }

    /** Takes a connection slot; false when all are taken. */
    boolean tryAdmit() {
        while (true) {
            int n = admitted.get();
            if (n >= maxConnections) return false;
            if (admitted.compareAndSet(n, n + 1)) return true;
        }
    }

    int maxConnections() {
        return maxConnections;
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
        admitted.decrementAndGet();
    }
}
