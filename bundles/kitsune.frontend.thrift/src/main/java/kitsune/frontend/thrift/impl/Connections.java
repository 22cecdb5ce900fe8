package kitsune.frontend.thrift.impl;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import kitsune.api.conf.ConfigKeys;

/**
 * The binary port's connections: admits at most kitsune.frontend.connections.max open at once (one more is refused
 * with {@link #refusal()}), and lets a stopping server close them all and wait until each has finished (its last
 * call answered, the backend told that it is gone). Refusals in progress are bounded too: past that bound a
 * connection is closed without a word, as a flood of them must not cost unbounded sockets.
 */
final class Connections {
    private static final int MAX_REFUSING = 256;
    private final int max;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger refusing = new AtomicInteger();
    private final Set<ClientConnection> unfinished = ConcurrentHashMap.newKeySet();
    private final Object finishedSignal = new Object();

    Connections(int max) {
        this.max = max;
    }

    /** Takes a connection slot; false when all are taken. */
    boolean tryAdmit() {
        while (true) {
            int n = admitted.get();
            if (n >= max) return false;
            if (admitted.compareAndSet(n, n + 1)) return true;
        }
    }

    /** Gives back a slot taken by {@link #tryAdmit()}: the connection's socket is closed. */
    void release() {
        admitted.decrementAndGet();
    }

    /** Connections admitted and not yet closed. */
    int open() {
        return admitted.get();
    }

    String refusal() {
        return "Kitsune server is busy: all " + max + " connections are open ("
                + ConfigKeys.FRONTEND_MAX_CONNECTIONS.name() + "=" + max
                + "); try again later or connect to another server";
    }

    /** Takes a place to tell a refused client why; false when too many refusals are in progress. */
    boolean tryRefuse() {
        if (refusing.incrementAndGet() <= MAX_REFUSING) return true;
        refusing.decrementAndGet();
        return false;
    }

    void refused() {
        refusing.decrementAndGet();
    }

    void started(ClientConnection connection) {
        unfinished.add(connection);
    }

    void finished(ClientConnection connection) {
        unfinished.remove(connection);
        synchronized (finishedSignal) {
            finishedSignal.notifyAll();
        }
    }

    /** Closes every connection; their calls still running finish, and the backend is told of each. */
    void closeAll() {
        unfinished.forEach(ClientConnection::close);
    }

    /** Waits until every connection has finished; false if some had not within the timeout. */
    boolean awaitFinished(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (finishedSignal) {
            while (!unfinished.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                try {
                    finishedSignal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }
}
