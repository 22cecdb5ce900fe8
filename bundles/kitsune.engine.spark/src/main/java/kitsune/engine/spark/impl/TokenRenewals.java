package kitsune.engine.spark.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.engine.EngineException;
import kitsune.internal.threads.NamedThreads;

/**
 * Keeps the delegation tokens of running engines fresh: for each engine, obtains new tokens into its token file
 * before the old ones run out ({@link DelegationTokens#nextRenewal}), for as long as the engine runs; then removes the
 * file. One timer thread for all engines; a fetch is a short-lived JVM.
 */
final class TokenRenewals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TokenRenewals.class);

    /** Obtains fresh tokens into the engine's file; empty when the cluster turned out not to need them. */
    interface Fetch {
        Optional<DelegationTokens.Obtained> obtain() throws EngineException;
    }

    private final ScheduledExecutorService timer;
    private final Clock clock;

    TokenRenewals(Clock clock) {
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("kitsune-token-renewal"));
    }

    /**
     * Follows one engine from its first tokens on.
     *
     * @param what  the engine and its user, for the log
     * @param alive true while the engine runs
     */
    void follow(String what, DelegationTokens.Obtained first, BooleanSupplier alive, Fetch fetch, Duration interval,
            Duration retryWait) {
        schedule(what, first.file(), alive, fetch, interval, retryWait,
                DelegationTokens.nextRenewal(false, first.expiryMillis(), clock.millis(), interval, retryWait));
    }

    private void schedule(String what, Path file, BooleanSupplier alive, Fetch fetch, Duration interval,
            Duration retryWait, Duration delay) {
        if (timer.isShutdown()) return;
        timer.schedule(() -> renew(what, file, alive, fetch, interval, retryWait), delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void renew(String what, Path file, BooleanSupplier alive, Fetch fetch, Duration interval,
            Duration retryWait) {
        if (!alive.getAsBoolean()) {
            remove(file);
            return;
        }
        Duration next;
        try {
            Optional<DelegationTokens.Obtained> got = fetch.obtain();
            long expiry = got.map(DelegationTokens.Obtained::expiryMillis).orElse(-1L);
            next = DelegationTokens.nextRenewal(false, expiry, clock.millis(), interval, retryWait);
            LOG.info("Renewed the delegation tokens of {} ({}); next renewal in {}", what,
                    got.map(o -> o.count() + " tokens: " + o.services()).orElse("none needed"), next);
        } catch (EngineException | RuntimeException e) {
            next = DelegationTokens.nextRenewal(true, -1, clock.millis(), interval, retryWait);
            LOG.warn("Renewing the delegation tokens of {} failed, next try in {}: {}", what, next, e.getMessage());
        }
        if (!alive.getAsBoolean()) {
            remove(file);
            return;
        }
        schedule(what, file, alive, fetch, interval, retryWait, next);
    }

    /** Removes an engine's token file and its fetch log. */
    static void remove(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".log"));
        } catch (IOException e) {
            LOG.warn("Cannot remove the delegation token file {} of an ended engine: {}", file, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
