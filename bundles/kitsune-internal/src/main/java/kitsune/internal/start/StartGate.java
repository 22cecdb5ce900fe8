package kitsune.internal.start;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Open once the runtime has started every bundle (the condition kitsune.runtime.started, which components bind and
 * pass to {@link #open()}). Until then a caller that needs a bundle File Install starts late (an engine provider, an
 * authenticator) waits here rather than fail; waits are bounded, because a runtime that never finishes starting must
 * not hang its clients.
 */
public final class StartGate {
    /** How long a caller waits at most for the runtime to finish starting. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    private final CountDownLatch open;

    private StartGate(int count) {
        open = new CountDownLatch(count);
    }

    /** A gate that opens when {@link #open()} is called. */
    public static StartGate closed() {
        return new StartGate(1);
    }

    /** A gate for a runtime that has started (tests, code outside a runtime). */
    public static StartGate opened() {
        return new StartGate(0);
    }

    public void open() {
        open.countDown();
    }

    /** True once open (at once if it is); false after {@link #WAIT} or when interrupted (the flag is kept). */
    public boolean await() {
        return await(WAIT);
    }

    public boolean await(Duration timeout) {
        try {
            return open.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
