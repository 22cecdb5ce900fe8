package kitsune.config.impl;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import kitsune.internal.threads.NamedThreads;

/**
 * Polls the configuration file. A poll reads the file and compares its SHA-256 with the last one seen, which
 * catches edits that keep the size and the modification time (coarse file-system clocks, fast editors) and
 * costs next to nothing for a file of a few KB. The interval is injected (2 s in the bundle, milliseconds in
 * tests).
 */
final class ConfWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfWatcher.class);

    private final ConfManager manager;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;

    ConfWatcher(ConfManager manager, Duration interval) {
        this.manager = manager;
        this.interval = interval;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("kitsune-config-watch"));
    }

    void start() {
        long ms = Math.max(1, interval.toMillis());
        scheduler.scheduleWithFixedDelay(this::pollSafely, ms, ms, TimeUnit.MILLISECONDS);
        LOG.debug("Watching {} every {} ms", manager.source().file(), ms);
    }

    private void pollSafely() {
        try {
            manager.poll();
        } catch (RuntimeException | Error e) {
            LOG.error("Watching {} failed: {}", manager.source().file(), e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("The configuration watch thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
