package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * The audit log (logger kitsune.audit, in the server log) and the JSON event log of a real server (LDAP logins
 * against a real directory, a real Spark engine, the Hive JDBC driver): a refused login, an accepted one, a session
 * with a good and a failing statement give one audit line each, and Kyuubi's session and operation events as JSON
 * lines under events/<type>/day=<today>/; no password appears in either.
 */
class EventLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> events(Path dir, String type) throws Exception {
        Path day = dir.resolve(type).resolve("day=" + LocalDate.now());
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(day)) return out;
        try (Stream<Path> files = Files.list(day)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @Test
    void loginsSessionsAndStatementsGiveAuditLinesAndKyuubisJsonEvents() throws Exception {
        Directory ldap = Directory.ldap("alice:wonderland");
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-events-"))
                .set("kyuubi.authentication", "LDAP")
                .set("kyuubi.authentication.ldap.url", ldap.url())
                .set("kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com")
                .set("kyuubi.backend.server.event.loggers", "JSON").start()) {
            assertThrows(SQLException.class, () -> Jdbc.connect(server.directUrl(), "alice", "looking-glass"));
            try (Connection c = Jdbc.connect(server.directUrl(), "alice", "wonderland")) {
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
                assertThrows(SQLException.class, () -> Jdbc.single(c, "SELECT * FROM no_such_table_here"));
            }
            Path dir = server.logDir.resolve("events");
            await("the session's close in the event log").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200)).until(() -> events(dir, "kyuubi_session").size() == 2);
            await("the audit lines").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> server.countLog("session-close session=") == 1);

            String log = server.log();
            assertEquals(1, server.countLog("login result=refused user=alice client=127.0.0.1:"), server.tail());
            assertTrue(log.matches("(?s).*login result=refused user=alice client=127\\.0\\.0\\.1:\\d+ auth=LDAP "
                    + "reason=\"Authentication failed for user alice: [^\"]+\".*"), server.tail());
            assertEquals(1, server.countLog("login result=accepted user=alice client=127.0.0.1:"), server.tail());
            assertEquals(1, server.countLog("session-open session="), server.tail());
            assertEquals(1, server.countLog("state=FINISHED durationMs="), server.tail());
            assertEquals(1, server.countLog("state=ERROR durationMs="), server.tail());
            assertTrue(log.contains("statement=\"SELECT * FROM no_such_table_here\""), server.tail());
            assertFalse(log.contains("wonderland") || log.contains("looking-glass"), "no password in the log");

            List<JsonNode> sessions = events(dir, "kyuubi_session");
            String sessionId = sessions.get(0).get("sessionId").asText();
            assertEquals(sessionId, sessions.get(1).get("sessionId").asText());
            assertEquals("alice", sessions.get(0).get("user").asText());
            assertTrue(sessions.get(0).get("clientIP").asText().startsWith("127.0.0.1"));
            assertEquals(-1, sessions.get(0).get("endTime").asLong());
            assertTrue(sessions.get(1).get("endTime").asLong() >= sessions.get(1).get("startTime").asLong());
            assertEquals(2, sessions.get(1).get("totalOperations").asInt());
            List<JsonNode> ops = events(dir, "kyuubi_operation");
            assertEquals(2, ops.size(), ops.toString());
            JsonNode good = ops.stream().filter(o -> o.get("statement").asText().equals("SELECT 1")).findFirst()
                    .orElseThrow();
            JsonNode bad = ops.stream().filter(o -> o.get("statement").asText().contains("no_such_table_here"))
                    .findFirst().orElseThrow();
            assertEquals("FINISHED", good.get("state").asText());
            assertEquals("ERROR", bad.get("state").asText());
            assertTrue(bad.get("exception").asText().contains("no_such_table_here"), bad.toString());
            assertEquals(sessionId, good.get("sessionId").asText());
            assertEquals("alice", good.get("sessionUser").asText());
            assertEquals("STARTED", events(dir, "kyuubi_server_info").get(0).get("state").asText());

            // an applied edit of other keys is no stop and start of the server
            long applied = server.countLog("Applied configuration changes:");
            server.set("kyuubi.session.idle.timeout", "PT7H").writeConf();
            await("the edit applied").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> server.countLog("Applied configuration changes:") > applied);
            try (Connection c = Jdbc.connect(server.directUrl(), "alice", "wonderland")) {
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            }
            await("the second session in the event log").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200)).until(() -> events(dir, "kyuubi_session").size() == 4);
            List<JsonNode> serverEvents = events(dir, "kyuubi_server_info");
            assertEquals(1, serverEvents.size(), serverEvents.toString());
            for (Path f : List.of(dir)) {
                try (Stream<Path> all = Files.walk(f)) {
                    for (Path p : all.filter(Files::isRegularFile).toList()) {
                        String text = Files.readString(p);
                        assertFalse(text.contains("wonderland") || text.contains("looking-glass"), p.toString());
                    }
                }
            }
        } finally {
            ldap.close();
        }
    }
}
