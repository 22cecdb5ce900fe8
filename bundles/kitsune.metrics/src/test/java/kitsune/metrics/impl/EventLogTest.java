package kitsune.metrics.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import kitsune.api.events.OperationEvent;
import kitsune.api.events.SessionEvent;

class EventLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A clock the test moves forward (the day partition follows it). */
    private static final class SteppedClock extends Clock {
        private volatile Instant now;

        SteppedClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path dir;

    private final List<String> audit = new CopyOnWriteArrayList<>();
    private final SteppedClock clock = new SteppedClock(Instant.parse("2026-12-06T23:59:00Z"));

    private static SessionEvent session(long end) {
        return new SessionEvent("s-1", "alice", "alice", "10.0.0.7:51000", "/kyuubi_1.0_USER_SPARK_SQL/alice/default",
                "10.0.0.9:40001", 1000, end, 2, null);
    }

    private static OperationEvent statement(String text, String state, String error) {
        return new OperationEvent("op-1", "s-1", "alice", "10.0.0.7:51000", text, state, 1000, 1250, error);
    }

    private List<JsonNode> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + l, e);
            }
        }).toList();
    }

    @Test
    void eachEventIsOneJsonLineWithKyuubisFieldNamesUnderItsTypeAndDay() throws IOException {
        JsonEventLog json = new JsonEventLog(dir, "host-1");
        try (EventLog log = new EventLog(new AuditLog(audit::add), json, "host-1", "10.0.0.1", clock, 100,
                Duration.ofMillis(100))) {
            log.server("STARTED");
            log.sessionOpened(session(-1));
            log.statementEnded(statement("SELECT 1", "FINISHED", null));
            log.statementEnded(statement("SELECT nope", "ERROR", "Table or view not found: nope"));
            log.sessionClosed(session(2000));
        }
        Path sessions = dir.resolve("kyuubi_session/day=2026-12-06/host-1.json");
        List<JsonNode> s = lines(sessions);
        assertEquals(2, s.size());
        assertEquals("s-1", s.get(0).get("sessionId").asText());
        assertEquals("alice", s.get(0).get("user").asText());
        assertEquals("10.0.0.7:51000", s.get(0).get("clientIP").asText());
        assertEquals("10.0.0.9:40001", s.get(0).get("engineAddress").asText());
        assertEquals(-1, s.get(0).get("endTime").asLong());
        assertEquals(2000, s.get(1).get("endTime").asLong());
        List<JsonNode> ops = lines(dir.resolve("kyuubi_operation/day=2026-12-06/host-1.json"));
        assertEquals(2, ops.size());
        assertEquals("FINISHED", ops.get(0).get("state").asText());
        assertEquals("SELECT 1", ops.get(0).get("statement").asText());
        assertEquals(1000, ops.get(0).get("createTime").asLong());
        assertEquals(1250, ops.get(0).get("completeTime").asLong());
        assertEquals("alice", ops.get(0).get("sessionUser").asText());
        assertEquals("Table or view not found: nope", ops.get(1).get("exception").asText());
        List<JsonNode> server = lines(dir.resolve("kyuubi_server_info/day=2026-12-06/host-1.json"));
        assertEquals("STARTED", server.get(0).get("state").asText());
        assertEquals("host-1", server.get(0).get("serverName").asText());
        assertEquals(4, audit.size(), "one audit line per session and statement event (the server event is JSON only)");
    }

    @Test
    void aNewDayStartsANewFile() throws IOException {
        JsonEventLog json = new JsonEventLog(dir, "host-1");
        try (EventLog log = new EventLog(new AuditLog(audit::add), json, "host-1", "10.0.0.1", clock, 100,
                Duration.ofMillis(100))) {
            log.statementEnded(statement("SELECT 1", "FINISHED", null));
            clock.advance(Duration.ofMinutes(2));
            log.statementEnded(statement("SELECT 2", "FINISHED", null));
        }
        assertEquals("SELECT 1", lines(json.file("kyuubi_operation", LocalDate.parse("2026-12-06"))).get(0)
                .get("statement").asText());
        List<JsonNode> next = lines(json.file("kyuubi_operation", LocalDate.parse("2026-12-07")));
        assertEquals(1, next.size());
        assertEquals("SELECT 2", next.get(0).get("statement").asText());
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        // a queue of one: the caller offers far faster than one thread writes files
        JsonEventLog json = new JsonEventLog(dir, "host-1");
        try (EventLog log = new EventLog(new AuditLog(audit::add), json, "host-1", "10.0.0.1", clock, 1,
                Duration.ofMillis(100))) {
            long start = System.nanoTime();
            for (int i = 0; i < 10_000; i++) log.statementEnded(statement("SELECT " + i, "FINISHED", null));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
            assertTrue(log.dropped() > 0, "some events dropped with a queue of one");
        }
        assertEquals(10_000, audit.size(), "the audit log loses nothing");
    }

    @Test
    void auditLinesNameEveryFieldAndCannotBeForged() {
        AuditLog log = new AuditLog(audit::add);
        log.login("LDAP", "mallory\nstatement session=x", "10.0.0.8:4000", "Authentication failed: bad password");
        log.login("NONE", "alice", "10.0.0.7:51000", null);
        log.sessionOpened(session(-1));
        log.statement(statement("SELECT '" + "x".repeat(3000) + "'\n-- done", "FINISHED", null));
        assertEquals("login result=refused user=\"mallory\\nstatement session=x\" client=10.0.0.8:4000 auth=LDAP "
                + "reason=\"Authentication failed: bad password\"", audit.get(0));
        assertEquals("login result=accepted user=alice client=10.0.0.7:51000 auth=NONE", audit.get(1));
        assertEquals("session-open session=s-1 user=alice login=alice client=10.0.0.7:51000 "
                + "engineSpace=/kyuubi_1.0_USER_SPARK_SQL/alice/default engine=10.0.0.9:40001", audit.get(2));
        String st = audit.get(3);
        assertTrue(st.startsWith("statement session=s-1 user=alice client=10.0.0.7:51000 operation=op-1 "
                + "state=FINISHED durationMs=250 statement=\"SELECT 'xxx"), st);
        assertTrue(st.contains("...(1017 more chars)"), st);
        assertFalse(st.contains("\n"));
    }

    @Test
    void aClientsCallOnlyQueuesItsEventsAndTheWriterThreadWritesThemInOrder() {
        List<String> threads = new CopyOnWriteArrayList<>();
        AuditLog recording = new AuditLog(line -> {
            threads.add(Thread.currentThread().getName());
            audit.add(line);
        });
        JsonEventLog json = new JsonEventLog(dir, "host-1");
        try (EventLog log = new EventLog(recording, json, "host-1", "10.0.0.1", clock, 100, Duration.ofHours(1))) {
            log.login("NONE", "alice", "10.0.0.7:51000", null);
            log.sessionOpened(session(-1));
            log.statementEnded(statement("SELECT 1", "FINISHED", null));
            assertEquals(List.of(), audit, "nothing written by the calling thread, nor before the interval");
        }
        assertEquals(3, audit.size(), "written when the log closes");
        assertTrue(audit.get(0).startsWith("login "), audit.get(0));
        assertTrue(audit.get(1).startsWith("session-open "), audit.get(1));
        assertTrue(audit.get(2).startsWith("statement "), audit.get(2));
        assertTrue(threads.stream().allMatch(t -> t.startsWith("kitsune-event-log-")), threads.toString());
    }

    @Test
    void aHalfFullQueueIsWrittenWithoutWaitingForTheInterval() {
        JsonEventLog json = new JsonEventLog(dir, "host-1");
        try (EventLog log = new EventLog(new AuditLog(audit::add), json, "host-1", "10.0.0.1", clock, 10,
                Duration.ofHours(1))) {
            for (int i = 0; i < 5; i++) log.statementEnded(statement("SELECT " + i, "FINISHED", null));
            Awaitility.await("five audit lines").atMost(Duration.ofSeconds(10)).until(() -> audit.size() == 5);
            Awaitility.await("five JSON lines").atMost(Duration.ofSeconds(10)).until(() -> {
                Path f = json.file("kyuubi_operation", LocalDate.parse("2026-12-06"));
                return Files.exists(f) && Files.readAllLines(f).size() == 5;
            });
        }
    }
}
