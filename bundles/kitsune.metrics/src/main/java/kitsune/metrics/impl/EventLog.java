package kitsune.metrics.impl;

import java.time.Clock;

import com.fasterxml.jackson.databind.node.ObjectNode;

import kitsune.api.events.OperationEvent;
import kitsune.api.events.ServerEvents;
import kitsune.api.events.SessionEvent;

/**
 * The {@link ServerEvents} service: each event goes to the audit log and, when kyuubi.backend.server.event.loggers has
 * JSON, to the JSON event log under Kyuubi's event types (kyuubi_server_info, kyuubi_session, kyuubi_operation) and
 * field names. Never throws: a failure to log must not fail the client's call.
 */
final class EventLog implements ServerEvents, AutoCloseable {
    static final String SERVER = "kyuubi_server_info";
    static final String SESSION = "kyuubi_session";
    static final String OPERATION = "kyuubi_operation";

    private final AuditLog audit;
    private final JsonEventLog json;
    private final String server;
    private final String serverIp;
    private final Clock clock;
    private final long startTime;

    /** @param json the JSON event log, or null when kyuubi.backend.server.event.loggers has no JSON */
    EventLog(AuditLog audit, JsonEventLog json, String server, String serverIp, Clock clock) {
        this.audit = audit;
        this.json = json;
        this.server = server;
        this.serverIp = serverIp;
        this.clock = clock;
        this.startTime = clock.millis();
    }

    /** A server event (KyuubiServerInfoEvent): STARTED or STOPPED. */
    void server(String state) {
        if (json == null) return;
        ObjectNode e = JsonEventLog.node();
        e.put("serverName", server);
        e.put("startTime", startTime);
        e.put("eventTime", clock.millis());
        e.put("state", state);
        e.put("serverIP", serverIp);
        json.log(SERVER, e);
    }

    @Override
    public void login(String authType, String user, String clientAddress, String refusal) {
        try {
            audit.login(authType, user, clientAddress, refusal);
        } catch (RuntimeException e) {
            // the audit log's appender failed: the client's login goes on
        }
    }

    @Override
    public void sessionOpened(SessionEvent s) {
        session(s, true);
    }

    @Override
    public void sessionClosed(SessionEvent s) {
        session(s, false);
    }

    private void session(SessionEvent s, boolean opened) {
        try {
            if (opened) {
                audit.sessionOpened(s);
            } else {
                audit.sessionClosed(s);
            }
            if (json == null) return;
            ObjectNode e = JsonEventLog.node();
            e.put("sessionId", s.sessionId());
            e.put("sessionType", "SQL");
            e.put("user", s.user());
            e.put("login", s.login());
            e.put("clientIP", s.clientIP());
            e.put("serverIP", serverIp);
            e.put("kyuubiInstance", server);
            e.put("eventTime", clock.millis());
            e.put("openedTime", s.startTime());
            e.put("startTime", s.startTime());
            e.put("endTime", s.endTime());
            e.put("totalOperations", s.totalOperations());
            e.put("engineSpace", s.engineSpace());
            e.put("engineAddress", s.engineAddress());
            e.put("exception", s.reason());
            json.log(SESSION, e);
        } catch (RuntimeException e) {
            // never fail the client's call for a log
        }
    }

    @Override
    public void statementEnded(OperationEvent o) {
        try {
            audit.statement(o);
            if (json == null) return;
            ObjectNode e = JsonEventLog.node();
            e.put("statementId", o.statementId());
            e.put("statement", AuditLog.truncate(o.statement()));
            e.put("state", o.state());
            e.put("eventTime", clock.millis());
            e.put("createTime", o.createTime());
            e.put("startTime", o.createTime());
            e.put("completeTime", o.completeTime());
            e.put("exception", o.exception());
            e.put("sessionId", o.sessionId());
            e.put("sessionUser", o.sessionUser());
            e.put("clientIP", o.clientIP());
            e.put("kyuubiInstance", server);
            json.log(OPERATION, e);
        } catch (RuntimeException e) {
            // never fail the client's call for a log
        }
    }

    @Override
    public void close() {
        if (json != null) json.close();
    }
}
