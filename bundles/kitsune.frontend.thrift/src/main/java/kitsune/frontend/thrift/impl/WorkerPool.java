package kitsune.frontend.thrift.impl;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import kitsune.api.metrics.ServerMetrics;

import kitsune.internal.threads.NamedThreads;

/**
 * The threads that run client calls, login checks and the backend's connectionClosed: at least {@code minThreads}
 * kept, at most {@code maxThreads} (kyuubi.frontend.thrift.max.worker.threads), idle ones above the minimum end after
 * a minute. Connections hold no thread: a connection's calls run one at a time, so the queue holds at most one task
 * per connection. Unlike a plain ThreadPoolExecutor, which queues as soon as its core threads are busy and starts
 * more only when the queue is full, this pool starts a thread (up to the maximum) whenever no thread is idle, so a
 * few slow calls never hold up quick ones while threads could still be started; only at the maximum do tasks wait.
 * Its threads, alive and running a call, go to the metrics (kyuubi.exec.pool.threads.alive / .active) as each call
 * starts and ends.
 */
final class WorkerPool extends ThreadPoolExecutor {
    private static final long KEEP_ALIVE_SECONDS = 60;
    /** Tasks submitted and not yet finished, to tell whether a thread is idle. */
    private final AtomicInteger unfinished = new AtomicInteger();
    /** Tasks running now. */
    private final AtomicInteger running = new AtomicInteger();
    private final Supplier<ServerMetrics> metrics;

    WorkerPool(int minThreads, int maxThreads) {
        this(minThreads, maxThreads, Recorder.OFF);
    }

    WorkerPool(int minThreads, int maxThreads, Supplier<ServerMetrics> metrics) {
        super(minThreads, maxThreads, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new GrowFirstQueue(),
                NamedThreads.daemon("kitsune-thrift-worker"), (task, pool) -> ((WorkerPool) pool).enqueue(task));
        ((GrowFirstQueue) getQueue()).pool = this;
        this.metrics = metrics;
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable task) {
        metrics.get().execPool(getPoolSize(), running.incrementAndGet());
    }

    @Override
    public void execute(Runnable task) {
        unfinished.incrementAndGet();
        try {
            super.execute(task);
        } catch (RejectedExecutionException e) {
            unfinished.decrementAndGet();
            throw e;
        }
    }

    @Override
    protected void afterExecute(Runnable task, Throwable failure) {
        unfinished.decrementAndGet();
        metrics.get().execPool(getPoolSize(), running.decrementAndGet());
    }

    /** At the maximum number of threads: the task waits for one. */
    private void enqueue(Runnable task) {
        if (isShutdown()) throw new RejectedExecutionException("The Thrift frontend is stopping");
        ((GrowFirstQueue) getQueue()).force(task);
    }

    /** Refuses a task (so that the pool starts a thread) while no thread is idle and the maximum is not reached. */
    private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        private transient WorkerPool pool;

        @Override
        public boolean offer(Runnable task) {
            WorkerPool p = pool;
            if (p == null) return super.offer(task);
            int threads = p.getPoolSize();
            if (threads >= p.getMaximumPoolSize() || p.unfinished.get() <= threads) return super.offer(task);
            return false;
        }

        void force(Runnable task) {
            super.offer(task);
        }
    }
}
