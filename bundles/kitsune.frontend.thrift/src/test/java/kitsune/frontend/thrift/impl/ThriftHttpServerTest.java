package kitsune.frontend.thrift.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.conf.KitsuneConf;
import kitsune.internal.testing.HiveJdbc;
import kitsune.thrift.CliBackend;

/** The Thrift HTTP frontend against the real Hive JDBC driver (transportMode=http). */
class ThriftHttpServerTest {
    private static final RecordingBackend recording = new RecordingBackend();
    private static ThriftHttpServer open;
    private static ThriftHttpServer checked;
    private static final AtomicInteger LOGINS = new AtomicInteger();

    private static FrontendSettings settings(String auth) {
        return new FrontendSettings("127.0.0.1", 0, "127.0.0.1", auth, 64 * 1024, 1, 4, 100, Duration.ofSeconds(2),
                TlsSettings.OFF);
    }

    private static ThriftHttpServer start(String auth, LoginCheck check) throws Exception {
        CliBackend b = recording.backend();
        ThriftHttpServer s = new ThriftHttpServer(settings(auth), KitsuneConf.of(Map.of(
                "kyuubi.frontend.thrift.http.bind.host", "127.0.0.1", "kyuubi.frontend.thrift.http.bind.port", "0")),
                () -> b, check);
        s.start();
        return s;
    }

    @BeforeAll
    static void startServers() throws Exception {
        open = start("NONE", new LoginCheck("NONE"));
        LoginCheck ldap = new LoginCheck("LDAP");
        ldap.add((user, password) -> {
            LOGINS.incrementAndGet();
            if (!"right".equals(password)) throw new AuthenticationException("invalid user name or password");
        }, "LDAP");
        checked = start("LDAP", ldap);
    }

    @AfterAll
    static void stopServers() {
        open.stop(Duration.ofSeconds(1));
        checked.stop(Duration.ofSeconds(1));
    }

    private static String url(ThriftHttpServer s) {
        return "jdbc:hive2://127.0.0.1:" + s.port() + "/;transportMode=http;httpPath=cliservice";
    }

    @Test
    void theHiveDriverInHttpModeOpensASessionAndCalls() throws Exception {
        assertEquals("jdbc:hive2://127.0.0.1:" + open.port() + "/;transportMode=http;httpPath=cliservice", open.url());
        try (Connection c = HiveJdbc.connect(url(open), "hugo", "pw")) {
            assertTrue(c.isValid(5));
        }
    }

    @Test
    void passwordsAreCheckedOnEveryRequest() throws Exception {
        int before = LOGINS.get();
        try (Connection c = HiveJdbc.connect(url(checked), "hugo", "right")) {
            for (int i = 0; i < 5; i++) assertTrue(c.isValid(5));
        }
        assertEquals(1, LOGINS.get() - before, "one password check per session: later calls show the cookie");
        SQLException wrong = assertThrows(SQLException.class, () -> HiveJdbc.connect(url(checked), "hugo", "wrong"));
        assertTrue(wrong.getMessage().contains("401"), wrong.getMessage());
    }

    @Test
    void aBrowserOrAnotherHttpClientGetsAReason() throws Exception {
        HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + open.port() + "/cliservice")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertTrue(get.body().contains("transportMode=http"), get.body());
        HttpResponse<String> garbage = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + open.port() + "/cliservice"))
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, garbage.statusCode());
        assertNotNull(garbage.body());
    }

    @Test
    void basicCredentialsAreParsedAsHiveSendsThem() {
        assertEquals("hugo", ThriftHttpServer.basic("Basic aHVnbzpwdzpwdw==")[0]);
        assertEquals("pw:pw", ThriftHttpServer.basic("Basic aHVnbzpwdzpwdw==")[1]);
        assertEquals("anonymous", ThriftHttpServer.basic(null)[0]);
        assertEquals("anonymous", ThriftHttpServer.basic("Basic !!!")[0]);
    }
}
