package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * Limits and hygiene against the real server, a real engine and the unmodified Hive JDBC driver: sessions per user
 * and per address, the unlimited list, rows per fetch, rows per result, owner-only files, and an authentication list
 * that would let everyone in.
 */
class LimitsTest {

    /** True when the user's session is refused by the deny list (false when it opens). */
    private static boolean deniedNamingTheList(String url, String user) {
        try {
            Jdbc.connect(url, user).close();
            return false;
        } catch (SQLException e) {
            assertTrue(e.getMessage().contains(user + " may not open sessions on this server "
                    + "(kyuubi.server.limit.connections.user.deny.list)"), e.getMessage());
            return true;
        }
    }

    private static SQLException refused(String url, String user) {
        return assertThrows(SQLException.class, () -> Jdbc.connect(url, user).close());
    }

    @Test
    void sessionsBeyondTheUsersOrTheAddressesLimitAreRefusedNamingTheKeyWhileOthersWorkAndClosingFreesTheSlot()
            throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-limits-"))
                .set("kyuubi.engine.share.level", "SERVER") // one engine for every user of this test
                .set("kyuubi.server.limit.connections.per.user", "2")
                .set("kyuubi.server.limit.connections.per.ipaddress", "4")
                .set("kyuubi.server.limit.connections.user.unlimited.list", "etl")
                .set("kyuubi.server.limit.client.fetch.max.rows", "100")
                .set("kyuubi.operation.result.max.rows", "50").start()) {
            String url = server.directUrl();
            List<Connection> open = new ArrayList<>();
            try {
                Connection alice1 = Jdbc.connect(url, "alice");
                open.add(alice1);
                open.add(Jdbc.connect(url, "alice"));
                SQLException third = refused(url, "alice");
                assertTrue(third.getMessage().contains("kyuubi.server.limit.connections.per.user=2"),
                        third.getMessage());
                try (Connection bob = Jdbc.connect(url, "bob")) {
                    assertEquals(1, ((Number) Jdbc.single(bob, "SELECT 1")).intValue(), "bob keeps working");
                }
                for (int i = 0; i < 3; i++) open.add(Jdbc.connect(url, "etl")); // the unlimited list: past the limit
                alice1.close();
                open.remove(alice1);
                Connection alice3 = Jdbc.connect(url, "alice");
                open.add(alice3);
                assertEquals(2, ((Number) Jdbc.single(alice3, "SELECT 2")).intValue(), "the closed session's slot");

                // from 127.0.0.1: 2 of alice's (etl's are not counted, as in Kyuubi), bob's and dave's make 4
                open.add(Jdbc.connect(url, "bob"));
                open.add(Jdbc.connect(url, "dave"));
                SQLException address = refused(url, "carol");
                assertTrue(address.getMessage().contains("kyuubi.server.limit.connections.per.ipaddress=4"),
                        address.getMessage());

                // rows per fetch: the driver's own fetch size (the server suggests at most 100) passes, more does not
                assertEquals(50, Jdbc.query(alice3, "SELECT id FROM range(1000)").size(),
                        "kyuubi.operation.result.max.rows=50 truncates the result");
                try (Statement st = alice3.createStatement()) {
                    st.setFetchSize(500);
                    SQLException fetch = assertThrows(SQLException.class, () -> {
                        try (ResultSet rs = st.executeQuery("SELECT id FROM range(1000)")) {
                            while (rs.next()) {
                                // reading is what fetches
                            }
                        }
                    });
                    assertTrue(fetch.getMessage().contains("kyuubi.server.limit.client.fetch.max.rows=100"),
                            fetch.getMessage());
                }
            } finally {
                for (Connection c : open) c.close();
            }
            // a session may lower the result bound, not raise it
            try (Connection low = Jdbc.connect(url + ";?kyuubi.operation.result.max.rows=7", "dora");
                    Connection high = Jdbc.connect(url + ";?kyuubi.operation.result.max.rows=5000", "erin")) {
                assertEquals(7, Jdbc.query(low, "SELECT id FROM range(1000)").size());
                assertEquals(50, Jdbc.query(high, "SELECT id FROM range(1000)").size());
            }
            // the deny and unlimited lists edited while serving (Kyuubi's POST /admin/refresh/deny_users and
            // unlimited_users): the server re-reads kyuubi-defaults.conf and applies them to the next sessions
            server.set("kyuubi.server.limit.connections.user.deny.list", "mallory")
                    .set("kyuubi.server.limit.connections.user.unlimited.list", "").writeConf();
            await("mallory denied after the edit").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> deniedNamingTheList(url, "mallory"));
            List<Connection> etl = new ArrayList<>();
            try {
                etl.add(Jdbc.connect(url, "etl"));
                etl.add(Jdbc.connect(url, "etl"));
                SQLException limited = refused(url, "etl");
                assertTrue(limited.getMessage().contains("kyuubi.server.limit.connections.per.user=2"),
                        "etl is off the unlimited list: " + limited.getMessage());
                assertEquals(1, ((Number) Jdbc.single(etl.get(0), "SELECT 1")).intValue(), "etl's sessions work");
            } finally {
                for (Connection c : etl) c.close();
            }
            server.conf.remove("kyuubi.server.limit.connections.user.deny.list");
            server.writeConf();
            await("mallory served after the list lost her").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).until(() -> !deniedNamingTheList(url, "mallory"));
            try (Connection mallory = Jdbc.connect(url, "mallory")) {
                assertEquals(3, ((Number) Jdbc.single(mallory, "SELECT 3")).intValue());
            }
            // umask 077 in bin/kitsune: what the server writes is its user's alone
            Set<PosixFilePermission> log = Files.getPosixFilePermissions(server.logFile());
            for (PosixFilePermission p : log) {
                assertFalse(p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"), "kitsune.log is " + log);
            }
            Set<PosixFilePermission> work = Files.getPosixFilePermissions(server.workDir.resolve("framework"));
            for (PosixFilePermission p : work) {
                assertFalse(p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"), "the work dir is " + work);
            }
        }
    }

    @Test
    void noneBesideLdapIsRefusedAtStartInOneLine() throws Exception {
        KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-none-ldap-"))
                .set("kyuubi.authentication", "NONE,LDAP");
        try {
            int exit = server.startExpectingExit(Duration.ofSeconds(60));
            assertTrue(exit != 0, "exit status " + exit);
            assertEquals(1, server.countLog("Invalid value for kyuubi.authentication: 'NONE,LDAP' lists NONE"),
                    server.tail());
        } finally {
            server.close();
        }
    }
}
