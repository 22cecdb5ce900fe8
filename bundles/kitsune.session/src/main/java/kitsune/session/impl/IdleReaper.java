package kitsune.session.impl;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.apache.hive.service.rpc.thrift.TCloseOperationReq;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.internal.threads.NamedThreads;

/**
 * Every kyuubi.session.check.interval: closes the operations and sessions no client called for during their idle
 * timeouts, closes the engine connections no session uses, and sweeps stale session records.
 */
final class IdleReaper {
    private static final Logger LOG = LoggerFactory.getLogger(IdleReaper.class);
    private final SessionRegistry registry;
    private final StatementLedger statements;
    private final EngineChannels channels;
    private final BackgroundCloses closes;
    private final Supplier<KitsuneConf> conf;
    private final Clock clock;
    /** Closes a session, with the reason. */
    private final BiConsumer<ServerSession, String> closer;
    private ScheduledExecutorService checker; // guarded by this

    IdleReaper(SessionRegistry registry, StatementLedger statements, EngineChannels channels, BackgroundCloses closes,
            Supplier<KitsuneConf> conf, Clock clock, BiConsumer<ServerSession, String> closer) {
        this.registry = registry;
        this.statements = statements;
        this.channels = channels;
        this.closes = closes;
        this.conf = conf;
        this.clock = clock;
        this.closer = closer;
    }

    synchronized void start() {
        checker = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("kitsune-session-checker"));
        schedule();
    }

    synchronized void stop() {
        if (checker != null) checker.shutdownNow();
        checker = null;
    }

    private synchronized void schedule() {
        if (checker == null) return;
        Duration every = conf.get().get(ConfigKeys.SESSION_CHECK_INTERVAL);
        try {
            checker.schedule(() -> {
                try {
                    closeIdleOperations();
                    closeIdleSessions();
                    channels.closeIdle(registry.inUseChannels());
                    registry.sweepRecords();
                } catch (RuntimeException e) {
                    LOG.warn("Idle session check failed", e);
                } finally {
                    schedule();
                }
            }, Math.max(1000, every.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // stop() got here first
        }
    }

    /**
     * Closes operations no client called for during kyuubi.operation.idle.timeout (0 disables): forgotten here at
     * once, closed on the engine in the background (a running statement is cancelled there); a later call with the
     * handle is told why.
     */
    void closeIdleOperations() {
        Duration timeout = conf.get().get(ConfigKeys.OPERATION_IDLE_TIMEOUT);
        if (timeout.isZero()) return;
        var cutoff = clock.instant().minus(timeout);
        String why = "closed after no call for more than " + ConfigKeys.OPERATION_IDLE_TIMEOUT.name() + "=" + timeout;
        for (ServerSession s : registry.all()) {
            s.operationsIdleSince(cutoff).forEach((key, op) -> {
                if (!registry.removeOperation(key, s)) return;
                statements.ended(key, "closed");
                String name = SessionRegistry.describe(op.handle().getOperationId());
                registry.idleClosed(key, s, "operation " + name + " was " + why);
                LOG.info("Operation {} of session {} ({}) {}", name, s.id(), s.user(), why);
                TCloseOperationReq close = new TCloseOperationReq(op.handle());
                closes.submit("Closing idle operation " + key + " on its engine",
                        () -> s.engine().close("CloseOperation", null, c -> c.CloseOperation(close)));
            });
        }
    }

    /** Closes sessions without a call for kyuubi.session.idle.timeout (0 disables). */
    void closeIdleSessions() {
        Duration timeout = conf.get().get(ConfigKeys.SESSION_IDLE_TIMEOUT);
        if (timeout.isZero()) return;
        var cutoff = clock.instant().minus(timeout);
        for (ServerSession s : registry.all()) {
            if (s.isIdleSince(cutoff)) {
                closer.accept(s, "idle for more than " + ConfigKeys.SESSION_IDLE_TIMEOUT.name() + "=" + timeout);
            }
        }
    }
}
