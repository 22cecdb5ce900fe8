package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import javax.security.auth.Subject;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;

import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;
import org.junit.jupiter.api.Test;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/**
 * kyuubi.authentication=KERBEROS in the real server (OSGi runtime, bin/kitsune) against a real KDC (Apache Kerby in
 * the test JVM): the unmodified Hive JDBC driver with principal=hive/_HOST@… in the URL and a keytab login opens a
 * session as the principal's short name and runs a statement; a client without a ticket is refused with the reason
 * in the log; a password login is refused (KERBEROS alone offers no PLAIN).
 */
class KerberosTest {
    private static final String REALM = "EXAMPLE.COM";

    @Test
    void aKeytabLoginThroughTheHiveDriverOpensASessionAsItsShortName() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-kdc-");
        SimpleKdcServer kdc = new SimpleKdcServer();
        kdc.setWorkDir(dir.toFile());
        kdc.setKdcRealm(REALM);
        kdc.setKdcHost("127.0.0.1");
        kdc.setAllowUdp(false);
        kdc.setAllowTcp(true);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            kdc.setKdcTcpPort(s.getLocalPort());
        }
        kdc.init();
        kdc.start();
        try {
            Path krb5 = dir.resolve("krb5.conf");
            System.setProperty("java.security.krb5.conf", krb5.toString());
            // the server binds localhost, which is what _HOST stands for on both sides
            kdc.createPrincipals("hive/localhost", "alice");
            File serverKeytab = dir.resolve("server.keytab").toFile();
            kdc.exportPrincipal("hive/localhost", serverKeytab);
            File aliceKeytab = dir.resolve("alice.keytab").toFile();
            kdc.exportPrincipal("alice", aliceKeytab);

            try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-krb-"))
                    .javaOption("-Djava.security.krb5.conf=" + krb5)
                    .set("kyuubi.frontend.thrift.binary.bind.host", "localhost")
                    .set("kyuubi.authentication", "KERBEROS")
                    .set("kyuubi.kinit.principal", "hive/_HOST@" + REALM)
                    .set("kyuubi.kinit.keytab", serverKeytab.toString()).start()) {
                String url = server.directUrl() + ";principal=hive/_HOST@" + REALM + ";kerberosAuthType=fromSubject";
                try (Connection c = connectAs(login("alice@" + REALM, aliceKeytab), url)) {
                    assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
                }
                assertEquals(1, server.countLog("for alice from 127.0.0.1 on engine"), "the session is alice's:\n"
                        + server.tail());
                assertEquals(1, server.countLog("Kerberos (GSSAPI) logins on the Thrift binary port as hive/localhost@"
                        + REALM), server.tail());

                assertThrows(SQLException.class, () -> connectAs(new Subject(), url), "no ticket");
                // the refusal is logged as the server reads the client's failure message: waited for
                server.awaitLog(Pattern.compile(Pattern.quote("the client could not get a Kerberos service ticket for "
                        + "hive/localhost@" + REALM)), Duration.ofSeconds(10));
                SQLException password = assertThrows(SQLException.class,
                        () -> Jdbc.connect(server.directUrl(), "alice", "pw"));
                assertTrue(password.getMessage().contains("this server accepts GSSAPI only"), password.getMessage());
            }
        } finally {
            kdc.stop();
        }
    }

    /** A client's login from its keytab, as kinit -kt would give it. */
    private static Subject login(String principal, File keytab) throws Exception {
        Map<String, String> options = Map.of("useKeyTab", "true", "keyTab", keytab.getAbsolutePath(),
                "principal", principal, "storeKey", "false", "doNotPrompt", "true", "isInitiator", "true",
                "refreshKrb5Config", "true");
        Subject subject = new Subject();
        new LoginContext("client", subject, null, new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(
                        "com.sun.security.auth.module.Krb5LoginModule",
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        }).login();
        return subject;
    }

    @SuppressWarnings("removal")
    private static Connection connectAs(Subject subject, String url) throws Exception {
        try {
            return Subject.doAs(subject, (PrivilegedExceptionAction<Connection>) () -> Jdbc.connect(url, null, null));
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }
}
