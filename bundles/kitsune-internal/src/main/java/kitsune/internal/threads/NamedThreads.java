package kitsune.internal.threads;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Daemon threads named {@code prefix-N}: a thread dump then says which part of the server a thread belongs to, and no
 * pool of a bundle keeps the JVM alive after the framework stopped. An exception that escapes a task is logged with
 * its stack trace instead of going to System.err.
 */
public final class NamedThreads implements ThreadFactory {
    private static final Logger LOG = LoggerFactory.getLogger(NamedThreads.class);
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    private NamedThreads(String prefix) {
        this.prefix = prefix;
    }

    /** A factory of daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
    public static ThreadFactory daemon(String prefix) {
        return new NamedThreads(prefix);
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread t = new Thread(task, prefix + "-" + count.incrementAndGet());
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> LOG.error("Uncaught exception in thread {}", thread.getName(), e));
        return t;
    }
}
