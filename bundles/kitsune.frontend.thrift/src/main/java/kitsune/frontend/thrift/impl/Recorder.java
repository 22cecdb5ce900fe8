package kitsune.frontend.thrift.impl;

import java.util.function.Supplier;

import kitsune.api.metrics.ServerMetrics;

/**
 * The {@link ServerMetrics} service bound now, or one that records nothing: the frontend serves the same with the
 * metrics bundle installed, stopped, absent or being replaced.
 */
final class Recorder implements Supplier<ServerMetrics> {
    private static final ServerMetrics NONE = new ServerMetrics() {
    };
    /** Records nothing, for servers built without a component (tests). */
    static final Recorder OFF = new Recorder();

    private volatile ServerMetrics metrics;

    void set(ServerMetrics m) {
        metrics = m;
    }

    /** Forgets the service only if it is the one going away (a newer one may already be bound). */
    void unset(ServerMetrics m) {
        if (metrics == m) metrics = null;
    }

    @Override
    public ServerMetrics get() {
        ServerMetrics m = metrics;
        return m == null ? NONE : m;
    }
}
