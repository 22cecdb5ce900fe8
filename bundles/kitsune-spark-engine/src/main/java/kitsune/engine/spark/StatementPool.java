package kitsune.engine.spark;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that run statements: at most {@code kyuubi.backend.engine.exec.pool.size}, then up to
 * {@code kyuubi.backend.engine.exec.pool.wait.queue.size} statements waiting, then refusal. Unlike a plain
 * fixed-size ThreadPoolExecutor, which starts a new thread for every task until it has them all, it reuses an idle
 * thread first and only grows when every thread is busy, so the engine holds as many threads as statements ran at
 * once, not as many as it may ever run; idle threads end after a minute.
 */
final class StatementPool extends ThreadPoolExecutor {
    private final Queue queue;

    private StatementPool(int max, Queue queue, ThreadFactory threads) {
        super(0, max, 60, TimeUnit.SECONDS, queue, threads, new Requeue());
        this.queue = queue;
    }

    /**
     * The queue declined a statement because the pool could still grow, and another statement took the last thread
     * before this one got it: queue it after all (up to the queue's capacity) rather than refuse it while there is
     * room to wait. Bursts of statements arriving at once (many sessions bound together) met that race.
     */
    private static final class Requeue implements java.util.concurrent.RejectedExecutionHandler {
        @Override
        public void rejectedExecution(Runnable task, ThreadPoolExecutor pool) {
            if (pool.isShutdown() || !((Queue) pool.getQueue()).queue(task)) {
                throw new java.util.concurrent.RejectedExecutionException("every statement thread is busy and "
                        + "the wait queue is full");
            }
        }
    }

    static StatementPool create(int maxThreads, int queueSize, ThreadFactory threads) {
        Queue q = new Queue(queueSize);
        StatementPool pool = new StatementPool(maxThreads, q, threads);
        q.pool = pool;
        return pool;
    }

    /** Waiting statements. */
    int waiting() {
        return queue.size();
    }

    /**
     * Hands a task straight to a thread waiting for work; with none waiting, declines it while the pool may still
     * grow (the executor then starts a thread), and queues it up to its capacity once the pool is full.
     */
    private static final class Queue extends LinkedTransferQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        private final int capacity;
        private transient volatile StatementPool pool;

        Queue(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public boolean offer(Runnable task) {
            if (tryTransfer(task)) return true;
            StatementPool p = pool;
            if (p.getPoolSize() < p.getMaximumPoolSize()) return false;
            return queue(task);
        }

        /** Queues it if the queue has room. */
        synchronized boolean queue(Runnable task) {
            return size() < capacity && super.offer(task);
        }
    }
}
