package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.Test;


import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.WebConsole;

/**
 * kyuubi.authentication=LDAP against a real LDAP server, with the unmodified Hive JDBC driver: the right password gets
 * in, a wrong one gets a clear refusal, and the authenticator bundle can be stopped and started from the Web Console
 * while a session runs (logins are refused meanwhile, naming what is missing; the open session is not touched).
 */
class AuthenticationTest {
    private static final String CONSOLE_PASSWORD = "auth-e2e-pw";

    @Test
    void ldapLoginsThroughTheHiveDriverAndTheAuthenticatorBundleSwappedLive() throws Exception {
        Directory ldap = Directory.ldap("alice:wonderland");
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-auth-"))
                .set("kyuubi.authentication", "LDAP")
                .set("kyuubi.authentication.ldap.url", ldap.url())
                .set("kyuubi.authentication.ldap.baseDN", "ou=people,dc=example,dc=com")
                .set("kitsune.console.password", CONSOLE_PASSWORD).start()) {
            try (Connection c = Jdbc.connect(server.directUrl(), "alice", "wonderland")) {
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());

                SQLException wrong = assertThrows(SQLException.class,
                        () -> Jdbc.connect(server.zkUrl(), "alice", "looking-glass"));
                assertTrue(wrong.getMessage().contains("Authentication failed for user alice"), wrong.getMessage());
                assertFalse(wrong.getMessage().contains("invalid user name or password"),
                        "the LDAP server's words go to the log only: " + wrong.getMessage());
                assertFalse(wrong.getMessage().contains("looking-glass"), "the password is never echoed");

                // the authenticator bundle stopped from the console: new logins are refused, the session goes on
                WebConsole console = WebConsole.of(server, "admin", CONSOLE_PASSWORD);
                console.bundleAction("kitsune.auth", "stop");
                assertEquals("Resolved", console.awaitBundleField("kitsune.auth", "state", "Resolved",
                        Duration.ofSeconds(20)));
                SQLException none = assertThrows(SQLException.class,
                        () -> Jdbc.connect(server.directUrl(), "alice", "wonderland"));
                assertTrue(none.getMessage().contains("Authentication failed for user alice"), none.getMessage());
                // the connection's WARN line (the audit log has a line of its own for the refusal)
                assertEquals(1, server.countLog("SASL handshake failed: Authentication failed for user alice: no "
                        + "authenticator for kyuubi.authentication=LDAP is installed"), server.tail());
                assertEquals(2, ((Number) Jdbc.single(c, "SELECT 2")).intValue(), "the open session is not touched");

                console.bundleAction("kitsune.auth", "start");
                assertEquals("Active", console.awaitBundleField("kitsune.auth", "state", "Active",
                        Duration.ofSeconds(20)));
                try (Connection again = Jdbc.connect(server.directUrl(), "alice", "wonderland")) {
                    assertEquals(3, ((Number) Jdbc.single(again, "SELECT 3")).intValue());
                }
            }
            assertEquals(2, server.countLog("Closing connection from 127.0.0.1:"), "one WARN line per refused login, "
                    + "naming the peer:\n" + server.tail());
            assertEquals(1, server.countLog("SASL handshake failed: Authentication failed for user alice: invalid "
                + "user name or password"), server.tail());
            assertEquals(0, server.countLog("SASL negotiation failure"), "no stack trace for a wrong password");
            // both refusals (wrong password, no authenticator) are counted by authenticator type, without the user
            String metrics = server.scrapeMetrics();
            assertTrue(metrics.contains("\nkitsune_login_failed_total{authenticator=\"LDAP\"} 2.0\n"), metrics);
            assertFalse(metrics.contains("alice"), metrics);
        } finally {
            ldap.close();
        }
    }
}
