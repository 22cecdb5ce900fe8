package kitsune.thrift;

import java.util.concurrent.Callable;

/**
 * The client connection a TCLIService call comes from, for the duration of the call: the frontend runs every call
 * through {@link #as}, so that a backend can check who makes it (the owner of a session handle) without the context
 * in every method's signature.
 */
public final class Callers {
    private static final ThreadLocal<ClientContext> CURRENT = new ThreadLocal<>();

    private Callers() {
    }

    /** Runs the call with that caller current; the previous one (usually none) is current again afterwards. */
    public static <T> T as(ClientContext caller, Callable<T> call) throws Exception {
        ClientContext previous = CURRENT.get();
        CURRENT.set(caller);
        try {
            return call.call();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** The caller of the call this thread runs, or null outside a frontend call (tests, the console). */
    public static ClientContext current() {
        return CURRENT.get();
    }
}
