package kitsune.frontend.thrift.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.sasl.SaslException;

import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.Oid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.api.conf.ConfigException;
import kitsune.api.conf.KitsuneConf;
import kitsune.internal.testing.HiveJdbc;
import kitsune.testkit.TestKdc;
import kitsune.thrift.CliBackend;
import kitsune.thrift.PlainCredentials;

/**
 * SPNEGO (Authorization: Negotiate) on the Thrift HTTP transport with kyuubi.authentication=KERBEROS, against a real
 * KDC (Apache Kerby, in-process on 127.0.0.1) and the real Hive JDBC 4.0.1 driver in transportMode=http with
 * principal=HTTP/_HOST@REALM (the driver negotiates itself, from the caller's JAAS Subject).
 */
class SpnegoLoginTest {
    private static final String REALM = TestKdc.REALM;
    /** _HOST as the driver expands it for the URL's host 127.0.0.1, and as the server does for its bind host. */
    private static final String SERVICE = "HTTP/127.0.0.1@" + REALM;
    private static TestKdc kdc;
    private static Path dir;
    private static File httpKeytab;
    private static File aliceKeytab;
    private static File adminKeytab;

    @BeforeAll
    static void startKdc() throws Exception {
        LogCapture.mark();
        dir = Files.createTempDirectory("kitsune-kdc-");
        kdc = TestKdc.start(dir);
        httpKeytab = keytab("HTTP/127.0.0.1");
        aliceKeytab = keytab("alice");
        adminKeytab = keytab("bob/admin");
    }

    @AfterAll
    static void stopKdc() throws Exception {
        if (kdc != null) kdc.close();
    }

    private static File keytab(String principal) throws Exception {
        return kdc.keytab(principal).toFile();
    }

    private static FrontendSettings settings(String auth) {
        return new FrontendSettings("127.0.0.1", 0, "127.0.0.1", auth, 64 * 1024, 1, 4, 100, Duration.ofSeconds(2),
                TlsSettings.OFF);
    }

    /** A server as the component starts it: kyuubi.spnego.principal=HTTP/_HOST@REALM with its keytab. */
    private static ThriftHttpServer start(String auth, CliBackend backend, PlainCredentials plain) throws Exception {
        KerberosIdentity spnego = KerberosIdentity.login("HTTP/_HOST@" + REALM, httpKeytab.toString(), "127.0.0.1",
                "kyuubi.spnego.principal", "kyuubi.spnego.keytab", "HTTP/_HOST@EXAMPLE.COM");
        assertEquals(SERVICE, spnego.principal());
        ThriftHttpServer server = new ThriftHttpServer(settings(auth), KitsuneConf.of(Map.of(
                "kyuubi.frontend.thrift.http.bind.host", "127.0.0.1", "kyuubi.frontend.thrift.http.bind.port", "0")),
                () -> backend, plain, spnego, Recorder.OFF);
        server.start();
        return server;
    }

    private static String url(ThriftHttpServer server) {
        return "jdbc:hive2://127.0.0.1:" + server.port() + "/default;transportMode=http;httpPath=cliservice;"
                + "principal=HTTP/_HOST@" + REALM + ";kerberosAuthType=fromSubject"
                // _HOST is the URL's host as written (else the driver puts the address's canonical name there)
                + ";kerberosEnableCanonicalHostnameCheck=false";
    }

    private static HttpResponse<String> post(ThriftHttpServer server, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/cliservice"))
                .POST(HttpRequest.BodyPublishers.ofString("not thrift"));
        if (authorization != null) b.header("Authorization", authorization);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A SPNEGO token for the service, as curl --negotiate or a browser sends it. */
    private static String spnegoToken(Subject client, String service) throws Exception {
        return TestKdc.spnegoToken(client, service);
    }

    @Test
    void aKerberosLoginOverHttpOpensASessionAsTheShortNameAndLaterRequestsShowTheCookie() throws Exception {
        RecordingBackend recording = new RecordingBackend();
        List<String> audited = new java.util.concurrent.CopyOnWriteArrayList<>();
        kitsune.api.events.ServerEvents events = new kitsune.api.events.ServerEvents() {
            @Override
            public void login(String authType, String user, String clientAddress, String refusal) {
                audited.add(authType + " " + user + " " + (refusal == null ? "accepted" : "refused"));
            }
        };
        ThriftHttpServer server = start("KERBEROS", recording.backend(), new LoginCheck("KERBEROS",
                kitsune.internal.start.StartGate.opened(), Recorder.OFF, () -> events));
        try {
            assertEquals(401, post(server, "Negotiate " + Base64.getEncoder().encodeToString("garbage".getBytes()))
                    .statusCode());
            try (Connection c = KerberosLoginTest.connectAs(
                    KerberosLoginTest.clientLogin("alice@" + REALM, aliceKeytab), url(server))) {
                for (int i = 0; i < 5; i++) assertTrue(c.isValid(5));
                assertEquals("alice", recording.opened.get(0).context().user());
            }
            assertEquals(1, server.negotiations(), "one negotiation per session: later requests show the cookie");
            try (Connection c = KerberosLoginTest.connectAs(
                    KerberosLoginTest.clientLogin("bob/admin@" + REALM, adminKeytab), url(server))) {
                assertTrue(c.isValid(5));
                assertEquals("bob", recording.opened.get(1).context().user(), "bob/admin@REALM is bob");
            }
            assertEquals(List.of("KERBEROS ? refused", "KERBEROS alice accepted", "KERBEROS bob accepted"), audited,
                    "each SPNEGO login in the audit log, as the binary port's");
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void withoutATicketTheDriverIsRefusedAndARequestWithoutLoginIsAskedToNegotiate() throws Exception {
        RecordingBackend recording = new RecordingBackend();
        ThriftHttpServer server = start("KERBEROS", recording.backend(), new LoginCheck("KERBEROS"));
        try {
            assertThrows(SQLException.class, () -> KerberosLoginTest.connectAs(new Subject(), url(server)),
                    "no ticket");
            HttpResponse<String> none = post(server, null);
            assertEquals(401, none.statusCode());
            assertEquals(List.of("Negotiate"), none.headers().allValues("WWW-Authenticate"),
                    "KERBEROS alone takes no password: no Basic challenge");
            HttpResponse<String> basic = post(server, "Basic " + Base64.getEncoder().encodeToString(
                    "alice:pw".getBytes()));
            assertEquals(401, basic.statusCode());
            assertEquals(List.of("Negotiate"), basic.headers().allValues("WWW-Authenticate"));
            assertTrue(recording.opened.isEmpty(), "no session was opened");
            assertEquals(0, server.negotiations());
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aGarbageOrReplayedNegotiateHeaderIsRefusedWith401AndOneLogLine() throws Exception {
        RecordingBackend recording = new RecordingBackend();
        ThriftHttpServer server = start("KERBEROS", recording.backend(), new LoginCheck("KERBEROS"));
        try {
            int mark = LogCapture.mark();
            HttpResponse<String> garbage = post(server, "Negotiate " + Base64.getEncoder().encodeToString(
                    "not a kerberos token".getBytes()));
            assertEquals(401, garbage.statusCode());
            assertEquals("Kerberos (SPNEGO) authentication failed\n", garbage.body());
            assertEquals(List.of("Negotiate"), garbage.headers().allValues("WWW-Authenticate"));
            assertNotNull(LogCapture.awaitLine(mark, Duration.ofSeconds(5), "Refusing HTTP request from 127.0.0.1:",
                    "Kerberos (SPNEGO) authentication failed: "), LogCapture.text().substring(mark));
            assertFalse(LogCapture.text().substring(mark).contains("\tat "), "no stack trace");

            HttpResponse<String> notBase64 = post(server, "Negotiate !!!");
            assertEquals(401, notBase64.statusCode());
            assertNotNull(LogCapture.awaitLine(mark, Duration.ofSeconds(5), "its Negotiate header holds no base64 "
                    + "token"), LogCapture.text().substring(mark));

            // a real SPNEGO token, as curl --negotiate sends it, logs in (the body then is no Thrift message: 400)
            String token = spnegoToken(KerberosLoginTest.clientLogin("alice@" + REALM, aliceKeytab), SERVICE);
            HttpResponse<String> real = post(server, "Negotiate " + token);
            assertEquals(400, real.statusCode(), real.body());
            assertTrue(real.headers().firstValue("Set-Cookie").orElse("").startsWith("hive.server2.auth="),
                    real.headers().map().toString());
            // the same token again is a replay
            HttpResponse<String> replay = post(server, "Negotiate " + token);
            assertEquals(401, replay.statusCode());
            assertEquals(1, server.negotiations());
            assertTrue(recording.opened.isEmpty(), "no session was opened");
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void kerberosBesideAPasswordTypeOffersBothAndTakesBoth() throws Exception {
        RecordingBackend recording = new RecordingBackend();
        PlainCredentials plain = (user, password) -> {
            if (!"right".equals(password)) throw new SaslException("Authentication failed for user " + user);
        };
        ThriftHttpServer server = start("KERBEROS,LDAP", recording.backend(), plain);
        try {
            HttpResponse<String> none = post(server, null);
            assertEquals(401, none.statusCode());
            assertEquals(List.of("Negotiate", "Basic realm=\"kitsune\""), none.headers().allValues(
                    "WWW-Authenticate"));
            try (Connection c = KerberosLoginTest.connectAs(
                    KerberosLoginTest.clientLogin("alice@" + REALM, aliceKeytab), url(server))) {
                assertTrue(c.isValid(5));
            }
            try (Connection c = HiveJdbc.connect("jdbc:hive2://127.0.0.1:" + server.port()
                    + "/;transportMode=http;httpPath=cliservice", "carol", "right")) {
                assertTrue(c.isValid(5));
            }
            assertEquals("alice", recording.opened.get(0).context().user());
            assertEquals("carol", recording.opened.get(1).context().user());
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aMissingSpnegoKeytabStopsTheStartNamingTheKey() {
        ConfigException none = assertThrows(ConfigException.class, () -> KerberosIdentity.login(
                "HTTP/_HOST@" + REALM, "", "127.0.0.1", "kyuubi.spnego.principal", "kyuubi.spnego.keytab",
                "HTTP/_HOST@EXAMPLE.COM"));
        assertTrue(none.getMessage().contains("kyuubi.spnego.keytab"), none.getMessage());
        ConfigException noPrincipal = assertThrows(ConfigException.class, () -> KerberosIdentity.login("",
                httpKeytab.toString(), "127.0.0.1", "kyuubi.spnego.principal", "kyuubi.spnego.keytab",
                "HTTP/_HOST@EXAMPLE.COM"));
        assertTrue(noPrincipal.getMessage().contains("kyuubi.spnego.principal"), noPrincipal.getMessage());
        assertTrue(noPrincipal.getMessage().contains("HTTP/_HOST@EXAMPLE.COM"), noPrincipal.getMessage());
    }
}
