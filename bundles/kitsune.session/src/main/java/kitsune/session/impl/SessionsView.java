package kitsune.session.impl;

import java.util.List;
import java.util.function.BiConsumer;

import kitsune.api.session.SessionInfo;

/**
 * The sessions as operators see them (the console, the REST API, a drain): the open ones, how many, and closing one
 * by its id.
 */
final class SessionsView {
    private final SessionRegistry registry;
    private final DrainAdmission drain;
    private final BiConsumer<ServerSession, String> closer;

    SessionsView(SessionRegistry registry, DrainAdmission drain, BiConsumer<ServerSession, String> closer) {
        this.registry = registry;
        this.drain = drain;
        this.closer = closer;
    }

    /** Sessions held here plus OpenSession calls being answered (a drain waits for both). */
    int openSessionCount() {
        return registry.size() + drain.opening();
    }

    List<SessionInfo> sessions() {
        return registry.all().stream().map(ServerSession::info).toList();
    }

    boolean closeSession(String id) {
        for (ServerSession s : registry.all()) {
            if (s.id().toString().equals(id)) {
                closer.accept(s, "closed on request (an operator, or the end of a drain)");
                return true;
            }
        }
        return false;
    }
}
