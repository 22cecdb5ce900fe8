package kitsune.frontend.thrift.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.sasl.SaslException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.api.conf.ConfigException;
import kitsune.internal.testing.HiveJdbc;
import kitsune.testkit.TestKdc;
import kitsune.thrift.CliBackend;
import kitsune.thrift.PlainCredentials;

/**
 * kyuubi.authentication=KERBEROS on the binary port against a real KDC (Apache Kerby, in-process on 127.0.0.1) and
 * the real Hive JDBC 4.0.1 driver with principal= in the URL, logged in from a user's keytab
 * (kerberosAuthType=fromSubject: the driver uses the caller's JAAS Subject).
 */
class KerberosLoginTest {
    private static final String REALM = TestKdc.REALM;
    private static final String SERVICE = "hive/localhost@" + REALM;
    private static TestKdc kdc;
    private static Path dir;
    private static File serverKeytab;
    private static File aliceKeytab;
    private static File adminKeytab;
    /** A service principal this server has no key of. */
    private static File otherKeytab;

    @BeforeAll
    static void startKdc() throws Exception {
        LogCapture.mark();
        dir = Files.createTempDirectory("kitsune-kdc-");
        kdc = TestKdc.start(dir);
        serverKeytab = keytab("hive/localhost");
        aliceKeytab = keytab("alice");
        adminKeytab = keytab("bob/admin");
        otherKeytab = keytab("other/localhost");
    }

    @AfterAll
    static void stopKdc() throws Exception {
        if (kdc != null) kdc.close();
    }

    /** A keytab holding one principal's keys only. */
    private static File keytab(String principal) throws Exception {
        return kdc.keytab(principal).toFile();
    }

    /** A client's login from its keytab, as kinit -kt would give it. */
    static Subject clientLogin(String principal, File keytab) throws Exception {
        return TestKdc.login(principal, keytab.toPath());
    }

    @SuppressWarnings("removal")
    static Connection connectAs(Subject subject, String url) throws Exception {
        try {
            return Subject.doAs(subject, (PrivilegedExceptionAction<Connection>) () -> HiveJdbc.connect(url));
        } catch (java.security.PrivilegedActionException e) {
            throw e.getException();
        }
    }

    static String kerberosUrl(ThriftFrontendServer server, String principal) {
        return "jdbc:hive2://127.0.0.1:" + server.port() + "/default;principal=" + principal
                + ";kerberosAuthType=fromSubject";
    }

    private static ThriftFrontendServer start(String auth, CliBackend backend, PlainCredentials plain)
            throws Exception {
        KerberosIdentity identity = KerberosIdentity.login("hive/_HOST@" + REALM, serverKeytab.toString(),
                "LocalHost");
        assertEquals(SERVICE, identity.principal());
        ThriftFrontendServer server = new ThriftFrontendServer(ThriftFrontendServerTest.settings(auth, 0, 8),
                () -> backend, plain, identity, Recorder.OFF);
        server.start();
        return server;
    }

    @Test
    void aKeytabLoginOpensASessionAsTheShortNameOfThePrincipal() throws Exception {
        RecordingBackend recording = new RecordingBackend();
        ThriftFrontendServer server = start("KERBEROS", recording.backend(), PlainCredentials.ANY);
        try {
            try (Connection c = connectAs(clientLogin("alice@" + REALM, aliceKeytab), kerberosUrl(server, SERVICE))) {
                assertTrue(c.isValid(5));
                assertEquals("alice", recording.opened.get(0).context().user());
            }
            try (Connection c = connectAs(clientLogin("bob/admin@" + REALM, adminKeytab),
                    kerberosUrl(server, SERVICE))) {
                assertTrue(c.isValid(5));
                assertEquals("bob", recording.opened.get(1).context().user(), "bob/admin@REALM is bob");
            }
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void noTicketATicketForAnotherServiceAndAPasswordAreRefused() throws Exception {
        RecordingBackend recording = new RecordingBackend();
        ThriftFrontendServer server = start("KERBEROS", recording.backend(), PlainCredentials.ANY);
        try {
            int mark = LogCapture.mark();
            assertThrows(SQLException.class, () -> connectAs(new Subject(), kerberosUrl(server, SERVICE)),
                    "no ticket");
            assertNotNull(LogCapture.awaitLine(mark, Duration.ofSeconds(5), "GSS initiate failed (the client could "
                    + "not get a Kerberos service ticket for " + SERVICE), LogCapture.text().substring(mark));

            // the client obtains a ticket for other/localhost: this server cannot read it
            Subject alice = clientLogin("alice@" + REALM, aliceKeytab);
            SQLException other = assertThrows(SQLException.class,
                    () -> connectAs(alice, kerberosUrl(server, "other/localhost@" + REALM)));
            assertTrue(other.getMessage().contains("Kerberos (GSSAPI) authentication failed"), other.getMessage());
            assertNotNull(LogCapture.awaitLine(mark, Duration.ofSeconds(5), "SASL handshake failed: Kerberos "
                    + "(GSSAPI) authentication failed: ", "Checksum failed", "the ticket is not for this server's "
                    + "key"), LogCapture.text().substring(mark));

            SQLException plain = assertThrows(SQLException.class,
                    () -> HiveJdbc.connect("jdbc:hive2://127.0.0.1:" + server.port() + "/default", "alice", "pw"));
            assertTrue(plain.getMessage().contains("Unsupported SASL mechanism PLAIN: this server accepts GSSAPI "
                    + "only"), plain.getMessage());
            assertTrue(recording.opened.isEmpty(), "no session was opened");
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void kerberosAndPasswordsOnOnePort() throws Exception {
        RecordingBackend recording = new RecordingBackend();
        PlainCredentials plain = (user, password) -> {
            if (!"right".equals(password)) throw new SaslException("Authentication failed for user " + user);
        };
        ThriftFrontendServer server = start("KERBEROS,LDAP", recording.backend(), plain);
        try {
            try (Connection c = connectAs(clientLogin("alice@" + REALM, aliceKeytab), kerberosUrl(server, SERVICE))) {
                assertTrue(c.isValid(5));
            }
            try (Connection c = HiveJdbc.connect("jdbc:hive2://127.0.0.1:" + server.port() + "/default", "carol",
                    "right")) {
                assertTrue(c.isValid(5));
            }
            assertThrows(SQLException.class,
                    () -> HiveJdbc.connect("jdbc:hive2://127.0.0.1:" + server.port() + "/default", "carol", "wrong"));
            assertEquals("alice", recording.opened.get(0).context().user());
            assertEquals("carol", recording.opened.get(1).context().user());
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aPrincipalOfAnotherRealmHasNoUserName() throws Exception {
        KerberosIdentity identity = KerberosIdentity.login(SERVICE, serverKeytab.toString(), "localhost");
        assertEquals("alice", identity.shortName("alice@" + REALM));
        SaslException e = assertThrows(SaslException.class, () -> identity.shortName("alice@OTHER.ORG"));
        assertTrue(e.getMessage().contains("the Kerberos principal alice@OTHER.ORG has no user name: no rule of "
                + "hadoop.security.auth_to_local maps alice@OTHER.ORG to a user (DEFAULT maps only principals of realm "
                + "EXAMPLE.COM)"), e.getMessage());
        KerberosIdentity mapped = identity.withAuthToLocal("RULE:[1:$1@$0](.*@OTHER\\.ORG)s/@.*//L DEFAULT");
        assertEquals("alice", mapped.shortName("Alice@OTHER.ORG"));
        assertEquals("bob", mapped.shortName("bob/admin@" + REALM));
    }

    @Test
    void aReloginReadsTheKeytabAgainAndAFailedOneNamesTheKeyAndKeepsTheLastLogin() throws Exception {
        Path keytab = dir.resolve("relogin.keytab");
        Files.copy(serverKeytab.toPath(), keytab);
        KerberosIdentity identity = KerberosIdentity.login(SERVICE, keytab.toString(), "localhost");
        identity.relogin();
        Files.copy(otherKeytab.toPath(), keytab, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ConfigException e = assertThrows(ConfigException.class, identity::relogin);
        assertTrue(e.getMessage().contains("the keytab holds no key of that principal"), e.getMessage());
        assertEquals(SERVICE, identity.principal(), "the identity stays");
        Files.copy(serverKeytab.toPath(), keytab, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        identity.relogin();
    }

    @Test
    void aMissingOrWrongKeytabStopsTheStartNamingTheKey() {
        ConfigException none = assertThrows(ConfigException.class,
                () -> KerberosIdentity.login(SERVICE, "", "localhost"));
        assertTrue(none.getMessage().contains("kyuubi.kinit.keytab"), none.getMessage());
        ConfigException noPrincipal = assertThrows(ConfigException.class,
                () -> KerberosIdentity.login("", serverKeytab.toString(), "localhost"));
        assertTrue(noPrincipal.getMessage().contains("kyuubi.kinit.principal"), noPrincipal.getMessage());
        ConfigException notService = assertThrows(ConfigException.class,
                () -> KerberosIdentity.login("hive@" + REALM, serverKeytab.toString(), "localhost"));
        assertTrue(notService.getMessage().contains("service/host@REALM"), notService.getMessage());
        ConfigException wrong = assertThrows(ConfigException.class,
                () -> KerberosIdentity.login(SERVICE, aliceKeytab.toString(), "localhost"));
        assertTrue(wrong.getMessage().startsWith("Cannot log in as " + SERVICE), wrong.getMessage());
    }

    @Test
    void hostInThePrincipalBecomesTheLowerCaseHostName() {
        assertEquals("hive/gw1.example.com@EXAMPLE.COM",
                KerberosIdentity.expandHost("hive/_HOST@EXAMPLE.COM", "GW1.Example.com"));
    }
}
