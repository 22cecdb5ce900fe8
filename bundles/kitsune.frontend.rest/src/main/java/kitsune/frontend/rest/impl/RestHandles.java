package kitsune.frontend.rest.impl;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import kitsune.internal.text.LogText;

/**
 * The sessions and operations opened through this REST API: a REST client names them by the guid of their Thrift
 * handle (Kyuubi's identifier); the whole handle (guid and secret) and the user who opened it stay here. A handle
 * is found only for its own user: another user gets the same 404 as for a handle that does not exist, so handles
 * of other users cannot even be confirmed.
 */
final class RestHandles {
    record SessionEntry(UUID id, TSessionHandle handle, String user, String login, String clientAddress,
            Map<String, String> conf, Instant opened) {
        boolean usableBy(String caller) {
            return caller.equals(user) || caller.equals(login);
        }
    }

    record OperationEntry(UUID id, TOperationHandle handle, UUID session, String login, String user,
            String statement, boolean runAsync, Instant created) {
        boolean usableBy(String caller) {
            return caller.equals(user) || caller.equals(login);
        }
    }

    private final Map<UUID, SessionEntry> sessions = new ConcurrentHashMap<>();
    private final Map<UUID, OperationEntry> operations = new ConcurrentHashMap<>();

    void add(SessionEntry s) {
        sessions.put(s.id(), s);
    }

    void add(OperationEntry o) {
        operations.put(o.id(), o);
    }

    SessionEntry session(String identifier, String caller) throws RestException {
        UUID id = uuid(identifier);
        SessionEntry s = id == null ? null : sessions.get(id);
        if (s == null || !s.usableBy(caller)) {
            throw RestException.notFound("Invalid session handle " + LogText.of(identifier)
                    + ": no open session of " + caller + " has it");
        }
        return s;
    }

    OperationEntry operation(String identifier, String caller) throws RestException {
        UUID id = uuid(identifier);
        OperationEntry o = id == null ? null : operations.get(id);
        if (o == null || !o.usableBy(caller)) {
            throw RestException.notFound("Invalid operation handle " + LogText.of(identifier)
                    + ": no operation of " + caller + " has it");
        }
        return o;
    }

    OperationEntry operationById(UUID id) {
        return id == null ? null : operations.get(id);
    }

    SessionEntry sessionById(UUID id) {
        return id == null ? null : sessions.get(id);
    }

    List<SessionEntry> sessionsOf(String caller) {
        return sessions.values().stream().filter(s -> s.usableBy(caller)).toList();
    }

    List<OperationEntry> operations() {
        return List.copyOf(operations.values());
    }

    void removeOperation(UUID id) {
        operations.remove(id);
    }

    /** Forgets a session and its operations. */
    void removeSession(UUID id) {
        sessions.remove(id);
        operations.values().removeIf(o -> o.session().equals(id));
    }

    /** Forgets the sessions the server no longer holds (closed by idle timeout, an operator, a drain). */
    void retainSessions(Set<String> open) {
        for (UUID id : List.copyOf(sessions.keySet())) {
            if (!open.contains(id.toString())) removeSession(id);
        }
    }

    int size() {
        return sessions.size();
    }

    static UUID uuid(String text) {
        if (text == null || text.length() != 36) return null;
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
