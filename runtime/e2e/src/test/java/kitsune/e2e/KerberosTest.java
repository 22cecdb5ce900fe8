package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;

import javax.security.auth.Subject;

import org.junit.jupiter.api.Test;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.TestKdc;

/**
 * kyuubi.authentication=KERBEROS in the real server (OSGi runtime, bin/kitsune) against a real KDC (Apache Kerby in
 * the test JVM): the unmodified Hive JDBC driver with principal=hive/_HOST@… in the URL and a keytab login opens a
 * session as the principal's short name and runs a statement; a client without a ticket is refused with the reason
 * in the log; a password login is refused (KERBEROS alone offers no PLAIN).
 */
class KerberosTest {
    private static final String REALM = TestKdc.REALM;

    @Test
    void aKeytabLoginThroughTheHiveDriverOpensASessionAsItsShortName() throws Exception {
        try (TestKdc kdc = TestKdc.start(Files.createTempDirectory("kitsune-e2e-kdc-"))) {
            // the server binds localhost, which is what _HOST stands for on both sides
            Path serverKeytab = kdc.keytab("hive/localhost");
            Path aliceKeytab = kdc.keytab("alice");

            try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-krb-"))
                    .javaOption("-Djava.security.krb5.conf=" + kdc.krb5Conf())
                    .set("kyuubi.frontend.thrift.binary.bind.host", "localhost")
                    .set("kyuubi.authentication", "KERBEROS")
                    .set("kyuubi.kinit.principal", "hive/_HOST@" + REALM)
                    .set("kyuubi.kinit.keytab", serverKeytab.toString()).start()) {
                String url = server.directUrl() + ";principal=hive/_HOST@" + REALM + ";kerberosAuthType=fromSubject";
                try (Connection c = connectAs(TestKdc.login("alice@" + REALM, aliceKeytab), url)) {
                    assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
                }
                // the audit log's session-open line (written by its own thread, so waited for)
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(
                        () -> server.countLog("user=alice login=alice client=127.0.0.1") >= 1);
                assertEquals(1, server.countLog("user=alice login=alice client=127.0.0.1"), "the session is alice's:\n"
                        + server.tail());
                assertEquals(1, server.countLog("Kerberos (GSSAPI) logins on the Thrift binary port as hive/localhost@"
                        + REALM), server.tail());
                assertEquals(1, server.countLog("Kerberos login of hive/localhost@" + REALM + " is renewed from its "
                        + "keytab every PT1H"), server.tail());

                assertThrows(SQLException.class, () -> connectAs(new Subject(), url), "no ticket");
                // the refusal is logged as the server reads the client's failure message: waited for
                server.awaitLog(Pattern.compile(Pattern.quote("the client could not get a Kerberos service ticket for "
                        + "hive/localhost@" + REALM)), Duration.ofSeconds(10));
                SQLException password = assertThrows(SQLException.class,
                        () -> Jdbc.connect(server.directUrl(), "alice", "pw"));
                assertTrue(password.getMessage().contains("this server accepts GSSAPI only"), password.getMessage());
            }
        }
    }

    private static Connection connectAs(Subject subject, String url) throws Exception {
        return TestKdc.as(subject, () -> Jdbc.connect(url, null, null));
    }
}
