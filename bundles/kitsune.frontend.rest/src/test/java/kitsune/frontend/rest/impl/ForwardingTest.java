package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

class ForwardingTest {
    private static final String KEY = "k".repeat(40);
    private static final String PATH = "/api/v1/batches/0d7e1a2c-0000-4000-8000-000000000001/localLog?from=0&size=5";
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-07T03:00:00Z"), ZoneOffset.UTC);

    private static Forwarding forwarding(List<String> keys, Clock clock) {
        return new Forwarding(keys, Duration.ofSeconds(1), Duration.ofSeconds(1), clock);
    }

    @Test
    void aServerOfTheNamespaceIsTrustedForTheCallerItSigned() throws Exception {
        try (Forwarding a = forwarding(List.of(KEY), NOW); Forwarding b = forwarding(List.of("n".repeat(40), KEY), NOW)) {
            assertEquals("alice", b.verify("alice", a.sign("alice", "GET", PATH), "GET", PATH));
        }
    }

    @Test
    void aSignatureForOneCallerMethodOrPathDoesNotServeForAnother() throws Exception {
        try (Forwarding f = forwarding(List.of(KEY), NOW)) {
            String sig = f.sign("alice", "GET", PATH);
            assertThrows(RestLogin.Refused.class, () -> f.verify("admin", sig, "GET", PATH));
            assertThrows(RestLogin.Refused.class, () -> f.verify("alice", sig, "DELETE", PATH));
            assertThrows(RestLogin.Refused.class, () -> f.verify("alice", sig, "GET", PATH.replace("size=5", "size=9")));
        }
    }

    @Test
    void aClientThatForgesTheHeadersWithoutTheKeyIsRefused() throws Exception {
        try (Forwarding owner = forwarding(List.of(KEY), NOW);
                Forwarding forger = forwarding(List.of("f".repeat(40), "g".repeat(40)), NOW)) {
            String forged = forger.sign("alice", "DELETE", PATH);
            RestLogin.Refused r = assertThrows(RestLogin.Refused.class,
                    () -> owner.verify("alice", forged, "DELETE", PATH));
            assertTrue(r.getMessage().startsWith("Forwarded request refused"), r.getMessage());
            assertThrows(RestLogin.Refused.class, () -> owner.verify("alice", "9999999999.", "DELETE", PATH));
            assertThrows(RestLogin.Refused.class, () -> owner.verify("alice", "garbage", "DELETE", PATH));
            assertThrows(RestLogin.Refused.class, () -> owner.verify("alice", null, "DELETE", PATH));
            assertThrows(RestLogin.Refused.class, () -> owner.verify("al\nice", forged, "DELETE", PATH));
        }
    }

    @Test
    void aSignatureExpiresAfterItsLifetime() throws Exception {
        try (Forwarding a = forwarding(List.of(KEY), NOW);
                Forwarding later = forwarding(List.of(KEY), Clock.offset(NOW, Forwarding.LIFETIME.plusSeconds(1)))) {
            String sig = a.sign("alice", "GET", PATH);
            RestLogin.Refused r = assertThrows(RestLogin.Refused.class, () -> later.verify("alice", sig, "GET", PATH));
            assertTrue(r.detail().contains("expired"), r.detail());
        }
    }

    @Test
    void withoutSharedKeysNothingIsForwardedAndNoForwardedRequestIsTrusted() throws Exception {
        try (Forwarding off = forwarding(List.of(), NOW); Forwarding a = forwarding(List.of(KEY), NOW)) {
            assertFalse(off.enabled());
            String sig = a.sign("alice", "GET", PATH);
            RestLogin.Refused r = assertThrows(RestLogin.Refused.class, () -> off.verify("alice", sig, "GET", PATH));
            assertTrue(r.detail().contains("kitsune.frontend.thrift.http.cookie.secrets"), r.detail());
        }
    }

    /** An owner on 127.0.0.1 that checks the forwarding headers as a server does, then answers with the given type. */
    private static HttpServer owner(Forwarding trust, String type, java.util.concurrent.CountDownLatch hold)
            throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1", ex -> {
            try {
                String uri = ex.getRequestURI().getRawPath()
                        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
                String user = trust.verify(ex.getRequestHeaders().getFirst(Forwarding.USER),
                        ex.getRequestHeaders().getFirst(Forwarding.SIGNATURE), ex.getRequestMethod(), uri);
                if (hold != null) hold.await();
                byte[] body = ("{\"user\": \"" + user + "\"}").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", type);
                ex.sendResponseHeaders(207, body.length);
                ex.getResponseBody().write(body);
            } catch (RestLogin.Refused | InterruptedException e) {
                ex.sendResponseHeaders(401, -1);
            } finally {
                ex.close();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return server;
    }

    private static String api(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
    }

    @Test
    void theOwnersJsonAnswerIsRelayedWithItsStatusAndTheCallerItTrusted() throws Exception {
        try (Forwarding f = forwarding(List.of(KEY), Clock.systemUTC())) {
            HttpServer server = owner(f, "application/json;charset=utf-8", null);
            try {
                Forwarding.Relayed r = f.forward(api(server), "GET", "/batches/x/localLog?from=0&size=5", "alice",
                        "h:1");
                assertEquals(207, r.status());
                assertEquals("{\"user\": \"alice\"}", new String(r.body(), StandardCharsets.UTF_8));
            } finally {
                server.stop(0);
            }
        }
    }

    @Test
    void anAnswerThatIsNotJsonIsNotRelayed() throws Exception {
        try (Forwarding f = forwarding(List.of(KEY), Clock.systemUTC())) {
            HttpServer server = owner(f, "text/html", null);
            try {
                RestException e = assertThrows(RestException.class,
                        () -> f.forward(api(server), "DELETE", "/batches/x", "alice", "h:1"));
                assertEquals(502, e.status());
                assertTrue(e.getMessage().contains("instead of JSON"), e.getMessage());
            } finally {
                server.stop(0);
            }
        }
    }

    @Test
    void anOwnerThatDoesNotAnswerInTimeIs504NamingTheKey() throws Exception {
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        try (Forwarding f = new Forwarding(List.of(KEY), Duration.ofSeconds(1), Duration.ofMillis(300),
                Clock.systemUTC())) {
            HttpServer server = owner(f, "application/json", hold);
            try {
                RestException e = assertThrows(RestException.class,
                        () -> f.forward(api(server), "GET", "/batches/x/localLog", "alice", "h:1"));
                assertEquals(504, e.status());
                assertTrue(e.getMessage().contains("kyuubi.batch.internal.rest.client.socket.timeout"),
                        e.getMessage());
            } finally {
                hold.countDown();
                server.stop(0);
            }
        }
    }

    @Test
    void anAddressThatIsNotAnHttpUrlIsRefused() throws Exception {
        try (Forwarding f = forwarding(List.of(KEY), NOW)) {
            RestException e = assertThrows(RestException.class,
                    () -> f.forward("file:///etc", "GET", "/batches/x/localLog", "alice", "h:1"));
            assertEquals(502, e.status());
        }
    }
}
