package kitsune.metrics.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import kitsune.api.session.SessionInfo;

class PrometheusTextTest {
    private static SessionInfo session(String user, int operations) {
        return new SessionInfo("id-" + user + operations, user, "10.0.0.1", "127.0.0.1:1", Instant.EPOCH,
                Instant.EPOCH, operations);
    }

    @Test
    void sessionsByUserAndOperationsInTheExpositionFormat() {
        String page = PrometheusText.render(List.of(session("alice", 2), session("alice", 0), session("bob", 1)),
                "0.1.0");
        assertTrue(page.contains("# TYPE kyuubi_connection_opened gauge\nkyuubi_connection_opened 3\n"), page);
        assertTrue(page.contains("kitsune_sessions_open{user=\"alice\"} 2\n"), page);
        assertTrue(page.contains("kitsune_sessions_open{user=\"bob\"} 1\n"), page);
        assertTrue(page.contains("kitsune_operations_open 3\n"), page);
        assertTrue(page.contains("kitsune_info{version=\"0.1.0\"} 1\n"), page);
        assertTrue(page.contains("jvm_memory_bytes_used{area=\"heap\"} "), page);
        assertTrue(page.contains("# TYPE jvm_gc_collection_seconds_total counter\n"), page);
        for (String line : page.split("\n")) {
            assertTrue(line.startsWith("#") || line.matches("[a-z_]+(\\{[^}]*})? -?[0-9.E]+"), "a sample: " + line);
        }
    }

    @Test
    void withoutTheSessionServiceOnlyTheJvmIsReported() {
        String page = PrometheusText.render(null, "0.1.0");
        assertTrue(!page.contains("kyuubi_connection_opened"), page);
        assertTrue(page.contains("process_uptime_seconds"), page);
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\"b\\\\c\\nd", PrometheusText.escape("a\"b\\c\nd"));
    }
}
