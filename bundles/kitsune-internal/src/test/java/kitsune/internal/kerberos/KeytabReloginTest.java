package kitsune.internal.kerberos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The re-login schedule of kyuubi.kinit.interval / kyuubi.kinit.max.attempts, as the delays {@link KeytabRelogin}
 * asks for after each outcome: no clock, no sleeps.
 */
class KeytabReloginTest {
    private static final Duration HOUR = Duration.ofHours(1);

    /** A login that fails while {@code failing} is positive, counting down. */
    private static KeytabRelogin relogin(AtomicInteger failing, AtomicInteger logins, int maxAttempts) {
        return new KeytabRelogin("kitsune/gw1@EXAMPLE.COM", () -> {
            logins.incrementAndGet();
            if (failing.getAndDecrement() > 0) throw new javax.security.auth.login.LoginException("KDC unreachable");
        }, HOUR, maxAttempts);
    }

    @Test
    void aSuccessfulLoginIsRenewedEveryInterval() {
        AtomicInteger logins = new AtomicInteger();
        KeytabRelogin r = relogin(new AtomicInteger(0), logins, 10);
        for (int i = 0; i < 3; i++) assertEquals(HOUR, r.attempt());
        assertEquals(3, logins.get());
    }

    @Test
    void aFailingLoginIsRetriedWithADoublingBackoffCappedAtTheIntervalThenBackToTheInterval() {
        AtomicInteger logins = new AtomicInteger();
        KeytabRelogin r = relogin(new AtomicInteger(4), logins, 10);
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++) delays.add(r.attempt());
        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20),
                Duration.ofSeconds(40), HOUR, HOUR), delays, "four failures, then renewed every interval");
        assertEquals(Duration.ofHours(1), r.backoff(30), "never longer than the interval");
        assertEquals(Duration.ofHours(1), r.backoff(64), "no overflow");
    }

    @Test
    void afterMaxAttemptsFailuresInARowItWaitsAnIntervalAndStartsCountingAgainNeverGivingUp() {
        AtomicInteger logins = new AtomicInteger();
        KeytabRelogin r = relogin(new AtomicInteger(Integer.MAX_VALUE), logins, 3);
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 7; i++) delays.add(r.attempt());
        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofSeconds(10), HOUR,
                Duration.ofSeconds(5), Duration.ofSeconds(10), HOUR, Duration.ofSeconds(5)), delays);
        assertEquals(7, logins.get(), "every attempt logged in again");
    }
}
