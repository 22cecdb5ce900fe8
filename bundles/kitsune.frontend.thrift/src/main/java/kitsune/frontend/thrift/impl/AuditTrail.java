package kitsune.frontend.thrift.impl;

import java.util.function.Supplier;

import kitsune.api.events.ServerEvents;

/**
 * The {@link ServerEvents} service bound now, or one that logs nothing: the frontend serves the same with the audit
 * and event log installed, stopped, absent or being replaced.
 */
final class AuditTrail implements Supplier<ServerEvents> {
    private static final ServerEvents NONE = new ServerEvents() {
    };
    /** Logs nothing, for servers built without a component (tests). */
    static final AuditTrail OFF = new AuditTrail();

    private volatile ServerEvents events;

    void set(ServerEvents e) {
        events = e;
    }

    /** Forgets the service only if it is the one going away (a newer one may already be bound). */
    void unset(ServerEvents e) {
        if (events == e) events = null;
    }

    @Override
    public ServerEvents get() {
        ServerEvents e = events;
        return e == null ? NONE : e;
    }
}
