package kitsune.metrics.impl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.events.OperationEvent;
import kitsune.api.events.ServerEvents;
import kitsune.api.events.SessionEvent;

/**
 * The {@link ServerEvents} service: each event goes to the audit log and, when kyuubi.backend.server.event.loggers has
 * JSON, to the JSON event log under Kyuubi's event types (kyuubi_server_info, kyuubi_session, kyuubi_operation) and
 * field names. The calling thread (a client's call) only takes the time and queues the event: the audit line and the
 * JSON are made and written by the {@link EventWriter}'s thread. When the queue is full the audit line is written on
 * the calling thread (the audit log loses nothing) and the JSON event is dropped and counted (a warning a minute says
 * how many). Never throws: a failure to log must not fail the client's call.
 */
final class EventLog implements ServerEvents, AutoCloseable {
    static final String SERVER = "kyuubi_server_info";
    static final String SESSION = "kyuubi_session";
    static final String OPERATION = "kyuubi_operation";
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

    private final AuditLog audit;
    private final JsonEventLog json;
    private final String server;
    private final String serverIp;
    private final Clock clock;
    private final long startTime;
    private final EventWriter writer;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong warnedAt = new AtomicLong(Long.MIN_VALUE);
    private final int capacity;

    /**
     * @param json     the JSON event log, or null when kyuubi.backend.server.event.loggers has no JSON
     * @param capacity events that may wait for the writer (kitsune.backend.server.event.queue.size)
     * @param interval how long an event may wait for it (kitsune.backend.server.event.flush.interval)
     */
    EventLog(AuditLog audit, JsonEventLog json, String server, String serverIp, Clock clock, int capacity,
            Duration interval) {
        this.audit = audit;
        this.json = json;
        this.server = server;
        this.serverIp = serverIp;
        this.clock = clock;
        this.startTime = clock.millis();
        this.capacity = capacity;
        this.writer = new EventWriter(capacity, interval, json == null ? () -> {
        } : json::flush);
    }

    /** A server event (KyuubiServerInfoEvent): STARTED or STOPPED. */
    void server(String state) {
        if (json == null) return;
        long now = clock.millis();
        submit(null, () -> {
            ObjectNode e = JsonEventLog.node();
            e.put("serverName", server);
            e.put("startTime", startTime);
            e.put("eventTime", now);
            e.put("state", state);
            e.put("serverIP", serverIp);
            json.write(SERVER, day(now), e);
        });
    }

    @Override
    public void login(String authType, String user, String clientAddress, String refusal) {
        submit(() -> audit.login(authType, user, clientAddress, refusal), null);
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
        long now = clock.millis();
        submit(opened ? () -> audit.sessionOpened(s) : () -> audit.sessionClosed(s), json == null ? null : () -> {
            ObjectNode e = JsonEventLog.node();
            e.put("sessionId", s.sessionId());
            e.put("sessionType", "SQL");
            e.put("user", s.user());
            e.put("login", s.login());
            e.put("clientIP", s.clientIP());
            e.put("serverIP", serverIp);
            e.put("kyuubiInstance", server);
            e.put("eventTime", now);
            e.put("openedTime", s.startTime());
            e.put("startTime", s.startTime());
            e.put("endTime", s.endTime());
            e.put("totalOperations", s.totalOperations());
            e.put("engineSpace", s.engineSpace());
            e.put("engineAddress", s.engineAddress());
            e.put("exception", s.reason());
            json.write(SESSION, day(now), e);
        });
    }

    @Override
    public void statementEnded(OperationEvent o) {
        long now = clock.millis();
        submit(() -> audit.statement(o), json == null ? null : () -> {
            ObjectNode e = JsonEventLog.node();
            e.put("statementId", o.statementId());
            e.put("statement", AuditLog.truncate(o.statement()));
            e.put("state", o.state());
            e.put("eventTime", now);
            e.put("createTime", o.createTime());
            e.put("startTime", o.createTime());
            e.put("completeTime", o.completeTime());
            e.put("exception", o.exception());
            e.put("sessionId", o.sessionId());
            e.put("sessionUser", o.sessionUser());
            e.put("clientIP", o.clientIP());
            e.put("kyuubiInstance", server);
            json.write(OPERATION, day(now), e);
        });
    }

    /** JSON events dropped so far because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    private LocalDate day(long epochMillis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), clock.getZone());
    }

    /** Queues both writes (either may be null); when they do not fit, the audit line is written here. */
    private void submit(Runnable auditLine, Runnable jsonEvent) {
        Runnable both = auditLine == null ? jsonEvent : jsonEvent == null ? auditLine : () -> {
            try {
                auditLine.run();
            } finally {
                jsonEvent.run();
            }
        };
        if (writer.offer(both)) return;
        if (auditLine != null) {
            try {
                auditLine.run();
            } catch (RuntimeException e) {
                LOG.warn("Writing an audit line failed; the client's call goes on", e);
            }
        }
        if (jsonEvent != null) droppedOne();
    }

    private void droppedOne() {
        long n = dropped.incrementAndGet();
        long now = System.nanoTime();
        long last = warnedAt.get();
        if ((last == Long.MIN_VALUE || now - last > TimeUnit.MINUTES.toNanos(1)) && warnedAt.compareAndSet(last, now)) {
            LOG.warn("The JSON event log is behind: {} event(s) dropped so far (the queue of {} is full); raise {} or "
                    + "check that {} is on a disk that keeps up", n, capacity, ConfigKeys.EVENT_QUEUE_SIZE.name(),
                    ConfigKeys.EVENT_JSON_LOG_PATH.name());
        }
    }

    /** Writes what is queued and closes the JSON files. */
    @Override
    public void close() {
        if (writer.stop() && json != null) json.close();
    }
}
