package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;

import kitsune.internal.testing.KeyStores;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * kyuubi.authentication=LDAP with a search account and a group filter, against a real LDAP server over LDAPS (its
 * certificate trusted through kitsune.authentication.ldap.truststore.path), with the
 * unmodified Hive JDBC driver: a member of the allowed group opens a session as herself, a user outside the group is
 * refused, and user names built to rewrite the LDAP search are refused too; the reasons are in the server log only,
 * and the search account's password is nowhere in it.
 */
class LdapSearchTest {
    private static final String SERVICE_DN = "cn=kyuubi,ou=services,dc=example,dc=com";
    private static final String SERVICE_PASSWORD = "svc-pw-7f3a9";

    @Test
    void aGroupMemberLogsInWhileOthersAndInjectionAttemptsAreRefused() throws Exception {
        // LDAPS, with a certificate for 127.0.0.1 that only the configured trust store trusts
        KeyStores stores = KeyStores.create(Files.createTempDirectory("kitsune-e2e-ldaps-"), "changeit");
        SSLUtil serverTls = new SSLUtil(new KeyStoreKeyManager(stores.keystore.toFile(), "changeit".toCharArray(),
                "PKCS12", "kitsune"), null);
        Directory ldap = Directory.ldaps(serverTls.createSSLServerSocketFactory(), "alice:wonderland", "bob:builder");
        ldap.service("kyuubi", SERVICE_PASSWORD);
        ldap.group("analysts", "alice").group("builders", "bob");
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-ldap-search-"))
                .set("kyuubi.authentication", "LDAP")
                .set("kyuubi.authentication.ldap.url", ldap.url())
                .set("kitsune.authentication.ldap.truststore.path", stores.truststore.toString())
                .set("kitsune.authentication.ldap.truststore.password", "changeit")
                .set("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com")
                .set("kyuubi.authentication.ldap.binddn", SERVICE_DN)
                .set("kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD)
                .set("kyuubi.authentication.ldap.groupDNPattern", "cn=%s," + Directory.GROUPS)
                .set("kyuubi.authentication.ldap.groupFilter", "analysts").start()) {
            try (Connection c = Jdbc.connect(server.directUrl(), "alice", "wonderland")) {
                assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
            }
            // the audit log's session-open line (written by its own thread, so waited for)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(
                    () -> server.countLog("user=alice login=alice client=127.0.0.1") >= 1);
            assertEquals(1, server.countLog("user=alice login=alice client=127.0.0.1"), "the session is alice's:\n"
                    + server.tail());

            SQLException outsider = assertThrows(SQLException.class,
                    () -> Jdbc.connect(server.directUrl(), "bob", "builder"));
            assertTrue(outsider.getMessage().contains("Authentication failed for user bob"), outsider.getMessage());
            assertFalse(outsider.getMessage().contains("groupFilter"), "the reason is the log's: "
                    + outsider.getMessage());
            // the connection's WARN line (the audit log has a line of its own for each refusal)
            assertEquals(1, server.countLog("SASL handshake failed: Authentication failed for user bob: bob is not a "
                    + "member of any group of kyuubi.authentication.ldap.groupFilter [analysts]"), server.tail());

            for (String attack : List.of("*", "admin)(|(uid=*", "alice)(uid=*")) {
                SQLException e = assertThrows(SQLException.class,
                        () -> Jdbc.connect(server.directUrl(), attack, "wonderland"), attack);
                assertTrue(e.getMessage().contains("Authentication failed for user"), e.getMessage());
                assertEquals(1, server.countLog("SASL handshake failed: Authentication failed for user " + attack
                        + ": no LDAP entry for " + attack + " under [dc=example,dc=com]"), attack + "\n" + server.tail());
            }
            assertEquals(0, server.countLog(SERVICE_PASSWORD), "the bind password is never logged");
        } finally {
            ldap.close();
        }
    }
    @Test
    void atGroupLevelUsersOfOneLdapGroupShareAnEngineAndOtherGroupsGetTheirOwn() throws Exception {
        Directory ldap = Directory.ldap("alice:pw-alice", "carol:pw-carol", "bob:pw-bob");
        ldap.service("kyuubi", SERVICE_PASSWORD);
        ldap.group("analysts", "alice", "carol").group("builders", "bob");
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-ldap-groups-"))
                .set("kyuubi.authentication", "LDAP")
                .set("kyuubi.authentication.ldap.url", ldap.url())
                .set("kyuubi.authentication.ldap.baseDN", "dc=example,dc=com")
                .set("kyuubi.authentication.ldap.binddn", SERVICE_DN)
                .set("kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD)
                .set("kyuubi.engine.share.level", "GROUP")
                .set("kyuubi.session.group.provider", "ldap")
                .set("spark.driver.memory", "512m").start()) {
            String alices;
            try (Connection alice = Jdbc.connect(server.directUrl(), "alice", "pw-alice");
                    Connection carol = Jdbc.connect(server.directUrl(), "carol", "pw-carol")) {
                alices = Jdbc.appId(alice);
                assertEquals(alices, Jdbc.appId(carol), "alice and carol are analysts: one engine");
                assertEquals("carol", Jdbc.single(carol, "SELECT current_user()"), "the session user is carol's");
            }
            try (Connection bob = Jdbc.connect(server.directUrl(), "bob", "pw-bob")) {
                assertTrue(!alices.equals(Jdbc.appId(bob)), "bob is a builder: an engine of his group's");
            }
            try (org.apache.zookeeper.ZooKeeper zk = kitsune.testkit.Zk.connect(server.zkConnect())) {
                String space = zk.getChildren("/", false).stream().filter(n -> n.endsWith("_GROUP_SPARK_SQL"))
                        .findFirst().orElseThrow();
                assertEquals(List.of("analysts", "builders"), zk.getChildren("/" + space, false).stream().sorted()
                        .toList(), "engine spaces by LDAP group");
            }
        } finally {
            ldap.close();
        }
    }
}
