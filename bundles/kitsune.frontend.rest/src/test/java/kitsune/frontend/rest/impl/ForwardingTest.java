package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

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
}
