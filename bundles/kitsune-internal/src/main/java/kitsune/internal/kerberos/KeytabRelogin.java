package kitsune.internal.kerberos;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;

/**
 * Logs the server in from its keytab again every kyuubi.kinit.interval, as Kyuubi's kinit service does, so that a
 * long-running server picks up a rotated keytab (new key versions) and a changed krb5.conf and never holds a stale
 * login. A failed login is logged with its cause and retried sooner, with a backoff that doubles from
 * {@link #FIRST_RETRY} up to the interval; the previous login stays in use meanwhile. After
 * kyuubi.kinit.max.attempts failures in a row it says so at ERROR (the keytab needs the operator) and goes on trying
 * every interval: a failed re-login never stops the server (Kyuubi exits).
 * <p>
 * {@link #attempt()} does one login and returns when to do the next: the schedule is a function of the outcomes
 * only, tested without a clock.
 */
public final class KeytabRelogin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeytabRelogin.class);
    public static final Duration FIRST_RETRY = Duration.ofSeconds(5);

    /** One login from the keytab; throws with the cause when it fails. */
    public interface Login {
        void run() throws Exception;
    }

    private final String what;
    private final Login login;
    private final Duration interval;
    private final int maxAttempts;
    private int failures;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> next;

    /**
     * @param what        names the identity in log lines, e.g. hive/gw1.example.com@EXAMPLE.COM
     * @param maxAttempts failures in a row before the ERROR line
     */
    public KeytabRelogin(String what, Login login, Duration interval, int maxAttempts) {
        this.what = what;
        this.login = login;
        this.interval = interval;
        this.maxAttempts = Math.max(1, maxAttempts);
    }

    /** Logs in once and returns the delay until the next login. */
    public synchronized Duration attempt() {
        try {
            login.run();
            if (failures > 0) LOG.info("Kerberos login of {} from its keytab succeeded again", what);
            else LOG.debug("Kerberos login of {} renewed from its keytab", what);
            failures = 0;
            return interval;
        } catch (Exception e) {
            failures++;
            if (failures >= maxAttempts) {
                LOG.error("Kerberos login of {} from its keytab failed {} times in a row ({}), the limit of {}; the "
                        + "last good login stays in use and Kitsune tries again every {}: check the keytab and "
                        + "krb5.conf", what, failures, e.getMessage(), ConfigKeys.KINIT_MAX_ATTEMPTS.name(), interval,
                        e);
                failures = 0;
                return interval;
            }
            Duration retry = backoff(failures);
            LOG.warn("Kerberos login of {} from its keytab failed (attempt {} of {}), trying again in {}: {}", what,
                    failures, maxAttempts, retry, e.getMessage(), e);
            return retry;
        }
    }

    /** The wait after the n-th failure in a row: 5 s, 10 s, 20 s, ... up to the interval. */
    public Duration backoff(int failure) {
        long ms = FIRST_RETRY.toMillis() << Math.min(30, failure - 1);
        return Duration.ofMillis(Math.min(ms, interval.toMillis()));
    }

    /** Schedules the logins on {@code scheduler}, the first one an interval from now. */
    public synchronized void start(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
        schedule(interval);
        LOG.info("Kerberos login of {} is renewed from its keytab every {} ({})", what, interval,
                ConfigKeys.KINIT_INTERVAL.name());
    }

    private synchronized void schedule(Duration delay) {
        if (scheduler == null || scheduler.isShutdown()) return;
        next = scheduler.schedule(() -> schedule(attempt()), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (next != null) next.cancel(false);
        if (scheduler != null) scheduler.shutdownNow();
        scheduler = null;
    }
}
