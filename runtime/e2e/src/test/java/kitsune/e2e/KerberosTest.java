package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import javax.security.auth.Subject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.RestClient;
import kitsune.testkit.TestKdc;

/**
 * kyuubi.authentication=KERBEROS in the real server (OSGi runtime, bin/kitsune) against a real KDC (Apache Kerby in
 * the test JVM): the unmodified Hive JDBC driver with principal=hive/_HOST@… in the URL and a keytab login opens a
 * session as the principal's short name and runs a statement; a client without a ticket is refused with the reason
 * in the log; a password login is refused (KERBEROS alone offers no PLAIN). The REST API of the same server takes
 * SPNEGO logins and then its signed cookie.
 */
class KerberosTest {
    private static final String REALM = TestKdc.REALM;

    @Test
    void aKeytabLoginThroughTheHiveDriverOpensASessionAsItsShortName() throws Exception {
        try (TestKdc kdc = TestKdc.start(Files.createTempDirectory("kitsune-e2e-kdc-"))) {
            // the server binds localhost, which is what _HOST stands for on both sides
            Path serverKeytab = kdc.keytab("hive/localhost");
            Path httpKeytab = kdc.keytab("HTTP/localhost");
            Path aliceKeytab = kdc.keytab("alice");

            try (KitsuneServer server = kerberosServer("kitsune-e2e-krb-", kdc, serverKeytab)
                    // the REST API beside the binary port, with SPNEGO as HTTP/localhost
                    .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                    .set("kyuubi.frontend.rest.bind.host", "localhost")
                    .set("kyuubi.spnego.principal", "HTTP/_HOST@" + REALM)
                    .set("kyuubi.spnego.keytab", httpKeytab.toString()).start()) {
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

                restWithSpnego(server, TestKdc.login("alice@" + REALM, aliceKeytab));
                ctlWithSpnego(server, kdc, aliceKeytab);
            }
        }
    }

    /**
     * A ticket for another service of the realm shown to the Thrift port is refused by the server, which names the
     * cause; a client whose tickets expired is not let in either (its Kerberos library finds no valid ticket and the
     * server logs the failed handshake with what the client should do).
     */
    @Test
    void aTicketForAnotherServiceAndAnExpiredTicketAreRefusedNamingTheCause() throws Exception {
        Duration lifetime = Duration.ofSeconds(20);
        try (TestKdc kdc = TestKdc.start(Files.createTempDirectory("kitsune-e2e-kdc-short-"), lifetime)) {
            Path serverKeytab = kdc.keytab("hive/localhost");
            kdc.keytab("HTTP/localhost");
            Path aliceKeytab = kdc.keytab("alice");
            try (KitsuneServer server = kerberosServer("kitsune-e2e-krb-refused-", kdc, serverKeytab).start()) {
                String url = server.directUrl() + ";principal=hive/_HOST@" + REALM + ";kerberosAuthType=fromSubject";
                String otherService = server.directUrl() + ";principal=HTTP/_HOST@" + REALM
                        + ";kerberosAuthType=fromSubject";
                Subject alice = TestKdc.login("alice@" + REALM, aliceKeytab);

                // a real ticket, for HTTP/localhost: the server cannot read it
                SQLException other = assertThrows(SQLException.class, () -> connectAs(alice, otherService));
                assertTrue(other.getMessage().contains("Kerberos (GSSAPI) authentication failed"), other.getMessage());
                server.awaitLog(Pattern.compile(Pattern.quote("the ticket is not for this server's key (principal= in "
                        + "the client's URL is not hive/localhost@" + REALM)), Duration.ofSeconds(10));

                // the same login while its tickets are valid, then once they expired
                try (Connection c = connectAs(alice, url)) {
                    assertEquals("alice", Jdbc.single(c, "SELECT current_user()"));
                }
                java.util.Date end = alice.getPrivateCredentials(javax.security.auth.kerberos.KerberosTicket.class)
                        .stream().map(javax.security.auth.kerberos.KerberosTicket::getEndTime)
                        .max(java.util.Date::compareTo).orElseThrow();
                org.awaitility.Awaitility.await("alice's tickets expired").atMost(lifetime.plusSeconds(10))
                        .pollInterval(Duration.ofMillis(500)).until(() -> new java.util.Date().after(end));
                long failedBefore = server.countLog("or an expired one)");
                SQLException expired = assertThrows(SQLException.class, () -> connectAs(alice, url));
                StringBuilder causes = new StringBuilder();
                for (Throwable t = expired; t != null; t = t.getCause()) causes.append(t).append('\n');
                assertTrue(causes.toString().contains("GSS initiate failed"), causes.toString());
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> server.countLog("or an expired one)") > failedBefore);
                // a fresh login is served again
                try (Connection c = connectAs(TestKdc.login("alice@" + REALM, aliceKeytab), url)) {
                    assertEquals(1, ((Number) Jdbc.single(c, "SELECT 1")).intValue());
                }
            }
        }
    }

    /**
     * The REST API with kyuubi.authentication=KERBEROS: a client with a real ticket (JDK GSS-API, SPNEGO) opens a
     * session and runs SELECT current_user() as the principal's short name, the later requests showing only the
     * cookie of the first answer; no token, a forged token and a tampered cookie are answered 401 with
     * WWW-Authenticate: Negotiate.
     */
    private static void restWithSpnego(KitsuneServer server, Subject alice) throws Exception {
        String api = server.awaitLog(Pattern.compile("REST API at (http://\\S+/api/v1)"), Duration.ofSeconds(60))
                .group(1);
        assertEquals(1, server.countLog("logins: SPNEGO as HTTP/localhost@" + REALM), server.tail());
        RestClient rest = new RestClient(api);

        HttpResponse<String> none = rest.get("/sessions", null);
        assertEquals(401, none.statusCode(), none.body());
        assertEquals(List.of("Negotiate"), none.headers().allValues("WWW-Authenticate"), "KERBEROS alone: no Basic");
        HttpResponse<String> forged = rest.get("/sessions", "Negotiate " + Base64.getEncoder()
                .encodeToString("not a Kerberos token".getBytes(StandardCharsets.UTF_8)));
        assertEquals(401, forged.statusCode(), forged.body());
        assertEquals(List.of("Negotiate"), forged.headers().allValues("WWW-Authenticate"));

        long kerberosLogins = kerberosLogins(server);
        String token = TestKdc.spnegoToken(alice, "HTTP/localhost@" + REALM);
        HttpResponse<String> open = rest.post("/sessions", "Negotiate " + token, "{}");
        assertEquals(200, open.statusCode(), open.body());
        String setCookie = open.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith("kyuubi.rest.auth=") && setCookie.contains("HttpOnly")
                && setCookie.contains("Path=/api/v1"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String session = RestClient.json(open).get("identifier").asText();
        // the login is audited as a Kerberos one (the audit log is written by its own thread)
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                () -> kerberosLogins(server) == kerberosLogins + 1);

        // the cookie alone: no Negotiate header, no new Kerberos check
        HttpResponse<String> statement = rest.post("/sessions/" + session + "/operations/statement", cookie,
                "{\"statement\": \"SELECT current_user()\", \"runAsync\": false}");
        assertEquals(200, statement.statusCode(), statement.body());
        assertTrue(statement.headers().firstValue("Set-Cookie").isEmpty(), "a cookie login issues no new cookie");
        String op = RestClient.json(statement).get("identifier").asText();
        HttpResponse<String> rows = rest.get("/operations/" + op + "/rowset?maxrows=10", cookie);
        assertEquals(200, rows.statusCode(), rows.body());
        JsonNode field = RestClient.json(rows).get("rows").get(0).get("fields").get(0);
        assertEquals("alice", field.get("value").asText(), "the session user is the principal's short name");
        JsonNode listed = RestClient.json(rest.get("/sessions", cookie));
        assertEquals("alice", listed.get(0).get("user").asText(), listed.toString());

        // a tampered cookie (alice's signature over another user) is no login
        String payload = cookie.substring(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
        String root = Base64.getUrlEncoder().withoutPadding().encodeToString(new String(Base64.getUrlDecoder()
                .decode(payload), StandardCharsets.UTF_8).replace("alice", "root").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> tampered = rest.get("/sessions", cookie.replace(payload, root));
        assertEquals(401, tampered.statusCode(), tampered.body());
        assertEquals(List.of("Negotiate"), tampered.headers().allValues("WWW-Authenticate"));
        assertTrue(tampered.body().contains("The login cookie is not valid on this server"), tampered.body());

        assertEquals(200, rest.delete("/sessions/" + session, cookie).statusCode());
    }

    /**
     * bin/kitsune-ctl --authSchema spnego against the same REST API: logged in from alice's keytab (a JAAS file's
     * com.sun.security.jgss.krb5.initiate section), its token is for HTTP/localhost (the host of --hostUrl) and its
     * second request (list session as a non-administrator: /admin/sessions, refused, then /sessions) shows the cookie
     * of the first answer, so the server checks one Kerberos login. Without a ticket it fails in one line naming kinit
     * and the JAAS way, and sends nothing; a --spnegoHost the KDC does not know is named too.
     */
    private static void ctlWithSpnego(KitsuneServer server, TestKdc kdc, Path aliceKeytab) throws Exception {
        String api = server.awaitLog(Pattern.compile("REST API at (http://\\S+/api/v1)"), Duration.ofSeconds(60))
                .group(1);
        String hostUrl = api.substring(0, api.length() - "/api/v1".length());
        Path dir = Files.createTempDirectory("kitsune-e2e-ctl-krb-");
        Path jaas = kdc.jaasFile("com.sun.security.jgss.krb5.initiate", "alice@" + REALM, aliceKeytab);
        String noCache = "FILE:" + dir.resolve("no-ticket-cache");
        java.util.Map<String, String> keytabLogin = java.util.Map.of("KRB5CCNAME", noCache, "KITSUNE_CTL_JAVA_OPTS",
                "-Djava.security.krb5.conf=" + kdc.krb5Conf() + " -Djava.security.auth.login.config=" + jaas);

        long kerberosLogins = kerberosLogins(server);
        kitsune.testkit.KitsuneCtl.Run list = kitsune.testkit.KitsuneCtl.run(keytabLogin, server.confDir, dir, "list",
                "session", "--hostUrl", hostUrl, "--authSchema", "spnego");
        assertEquals(0, list.rc(), list.toString());
        assertEquals("", list.err(), list.toString());
        assertTrue(list.out().contains("Live Session List (total "), list.out());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                () -> kerberosLogins(server) >= kerberosLogins + 1);
        assertEquals(kerberosLogins + 1, kerberosLogins(server), "two requests, one Kerberos login (the cookie)");

        java.util.Map<String, String> noTicket = java.util.Map.of("KRB5CCNAME", noCache, "KITSUNE_CTL_JAVA_OPTS",
                "-Djava.security.krb5.conf=" + kdc.krb5Conf());
        kitsune.testkit.KitsuneCtl.Run refused = kitsune.testkit.KitsuneCtl.run(noTicket, server.confDir, dir, "list",
                "session", "--hostUrl", hostUrl, "--authSchema", "spnego");
        assertEquals(1, refused.rc(), refused.toString());
        assertEquals("", refused.out(), refused.toString());
        assertTrue(refused.err().startsWith("Error: Cannot make a Kerberos (SPNEGO) token for HTTP/localhost "
                + "(--authSchema spnego): ") && refused.err().contains("get a ticket first (kinit)")
                && refused.err().indexOf('\n') == refused.err().length() - 1, refused.err());

        kitsune.testkit.KitsuneCtl.Run unknown = kitsune.testkit.KitsuneCtl.run(keytabLogin, server.confDir, dir,
                "list", "session", "--hostUrl", hostUrl, "--authSchema", "spnego", "--spnegoHost", "elsewhere");
        assertEquals(1, unknown.rc(), unknown.toString());
        assertTrue(unknown.err().startsWith("Error: Cannot make a Kerberos (SPNEGO) token for HTTP/elsewhere ")
                && unknown.err().contains("the KDC knows no HTTP/elsewhere: give the host of the REST API's principal "
                + "with --spnegoHost"), unknown.err());
        assertEquals(kerberosLogins + 1, kerberosLogins(server), "no request reached the server");
    }

    /** The audit log's accepted Kerberos logins of alice so far. */
    private static long kerberosLogins(KitsuneServer server) throws Exception {
        return Pattern.compile("login result=accepted user=alice client=\\S+ auth=KERBEROS").matcher(server.log())
                .results().count();
    }

    /**
     * A server taking Kerberos logins on its binary port (bound to localhost, which _HOST stands for on both sides)
     * as hive/localhost from that keytab; not started.
     */
    private static KitsuneServer kerberosServer(String dirPrefix, TestKdc kdc, Path serverKeytab) throws Exception {
        return new KitsuneServer(Files.createTempDirectory(dirPrefix))
                .javaOption("-Djava.security.krb5.conf=" + kdc.krb5Conf())
                .set("kyuubi.frontend.thrift.binary.bind.host", "localhost")
                .set("kyuubi.authentication", "KERBEROS")
                .set("kyuubi.kinit.principal", "hive/_HOST@" + REALM)
                .set("kyuubi.kinit.keytab", serverKeytab.toString());
    }

    private static Connection connectAs(Subject subject, String url) throws Exception {
        return TestKdc.as(subject, () -> Jdbc.connect(url, null, null));
    }
}
