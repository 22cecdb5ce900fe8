package kitsune.session.impl;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Whether this server admits new sessions: until a drain begins it does; from then on every OpenSession is refused
 * with the drain's message. Counts the OpenSession calls past the check and not yet answered, which a drain waits
 * for as it waits for open sessions.
 */
final class DrainAdmission {
    static final String DRAINING = "This server accepts no new sessions; connect to another server";
    private volatile String refusal;
    private final AtomicInteger opening = new AtomicInteger();

    /**
     * Runs an OpenSession unless the server drains; the refusal's message otherwise goes to {@code refused}.
     */
    <R> R admit(Supplier<R> open, java.util.function.Function<String, R> refused) {
        opening.incrementAndGet();
        try {
            String why = refusal;
            return why != null ? refused.apply(why) : open.get();
        } finally {
            opening.decrementAndGet();
        }
    }

    /** OpenSession calls being answered now. */
    int opening() {
        return opening.get();
    }

    /** Whether new sessions are refused (a drain has begun). */
    boolean refusing() {
        return refusal != null;
    }

    /**
     * A draining server lets go of the sessions of HTTP clients without closing them: their records stay, and their
     * next requests continue them on whichever server the balancer picks (this one too, while it still runs,
     * without holding them again). Binary-transport sessions stay: their clients cannot move within a connection.
     *
     * @return how many were handed over
     */
    static int handOverPerRequestSessions(SessionRegistry registry, StatementLedger statements) {
        int handed = 0;
        for (ServerSession s : new java.util.ArrayList<>(registry.all())) {
            if (s.client() == null || !s.client().perRequest()) continue;
            if (!registry.remove(s)) continue;
            s.releasePermit(); // no longer held here: the next server that continues it holds it
            for (String op : s.operations()) {
                registry.removeOperation(op);
                statements.ended(op, "closed");
            }
            handed++;
        }
        return handed;
    }

    /** From now on new sessions are refused with that message (a default one when blank); returns the message. */
    String refuse(String message) {
        refusal = message == null || message.isBlank() ? DRAINING : message;
        return refusal;
    }
}
