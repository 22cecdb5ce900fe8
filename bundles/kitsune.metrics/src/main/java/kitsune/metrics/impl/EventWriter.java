package kitsune.metrics.impl;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.internal.threads.NamedThreads;

/**
 * Runs the writes of the audit and event logs on one background thread, in batches: a call that logs only queues its
 * write (no lock, no thread woken, no I/O) and the thread wakes once per interval, or at once when the queue is half
 * full, runs what is queued in order, then calls {@code afterBatch} (flushing files). A client's call therefore costs
 * an allocation and a queue insert, not a write to the log. At most {@code capacity} writes wait; {@link #offer} says
 * when one more does not fit, and the caller decides (the audit writes its line itself, a JSON event is dropped).
 */
final class EventWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventWriter.class);
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final long intervalNanos;
    private final Runnable afterBatch;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param capacity   the most writes waiting
     * @param interval   how long a queued write may wait for the thread (when the queue stays under half full)
     * @param afterBatch run on the thread after each batch that wrote something
     */
    EventWriter(int capacity, Duration interval, Runnable afterBatch) {
        this.capacity = capacity;
        this.intervalNanos = Math.max(1, interval.toNanos());
        this.afterBatch = afterBatch;
        this.thread = NamedThreads.daemon("kitsune-event-log").newThread(this::run);
        thread.start();
    }

    /** Queues the write; false when it does not fit or the writer is closed (the write was not queued). */
    boolean offer(Runnable write) {
        if (closed) return false;
        int n = size.incrementAndGet();
        if (n > capacity) {
            size.decrementAndGet();
            return false;
        }
        queue.add(write);
        if (n == (capacity + 1) / 2) LockSupport.unpark(thread);
        return true;
    }

    private void run() {
        while (true) {
            boolean last = closed;
            if (drain() > 0) batchEnd();
            if (last || Thread.currentThread().isInterrupted()) return;
            LockSupport.parkNanos(this, intervalNanos);
        }
    }

    private int drain() {
        int ran = 0;
        for (Runnable w; (w = queue.poll()) != null; ran++) {
            size.decrementAndGet();
            try {
                w.run();
            } catch (RuntimeException e) {
                LOG.warn("An audit or event log write failed; the server goes on without it", e);
            }
        }
        return ran;
    }

    private void batchEnd() {
        try {
            afterBatch.run();
        } catch (RuntimeException e) {
            LOG.warn("Flushing the event log failed; the server goes on without it", e);
        }
    }

    /**
     * Writes what is queued and stops the thread (waiting at most ten seconds for it; what it left is written on the
     * calling thread; a writer that
     * does not stop is interrupted and what it still had is lost). Later offers are refused.
     */
    @Override
    public void close() {
        stop();
    }

    /** {@link #close()}, saying whether the thread stopped (only then may the caller close what it wrote to). */
    boolean stop() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("The event log's writer did not stop within 10 s; {} queued write(s) may be lost", size.get());
            thread.interrupt();
            return false;
        }
        if (drain() > 0) batchEnd();
        return true;
    }
}
