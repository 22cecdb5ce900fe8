package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.security.auth.Subject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kitsune.api.events.ServerEvents;
import kitsune.internal.cookie.AuthCookies;
import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.internal.start.StartGate;
import kitsune.testkit.TestKdc;

/**
 * The REST API's logins with kyuubi.authentication=KERBEROS (alone and beside NONE) against a real KDC
 * ({@link TestKdc}): SPNEGO with a real ticket, the cookie that spares later requests the check, the challenges of
 * a 401, and the audit lines. The servlet around it runs in the e2e KerberosTest.
 */
class RestSpnegoLoginTest {
    private static final String REALM = TestKdc.REALM;
    private static final String SERVICE = "HTTP/localhost@" + REALM;
    private static TestKdc kdc;
    private static KerberosIdentity identity;
    private static Subject alice;

    private final List<String> audit = new ArrayList<>();
    private final ServerEvents events = new ServerEvents() {
        @Override
        public void login(String authType, String user, String clientAddress, String refusal) {
            audit.add(authType + " " + user + " " + clientAddress + " " + (refusal == null ? "ok" : "refused"));
        }
    };

    @BeforeAll
    static void startKdc() throws Exception {
        kdc = TestKdc.start(Files.createTempDirectory("kitsune-kdc-"));
        identity = KerberosIdentity.login("HTTP/_HOST@" + REALM, kdc.keytab("HTTP/localhost").toString(), "localhost",
                "kyuubi.spnego.principal", "kyuubi.spnego.keytab", "HTTP/_HOST@EXAMPLE.COM");
        alice = TestKdc.login("alice@" + REALM, kdc.keytab("alice"));
    }

    @AfterAll
    static void stopKdc() throws Exception {
        if (kdc != null) kdc.close();
    }

    private RestLogin login(List<String> authentication, AuthCookies cookies) {
        return new RestLogin(authentication, StartGate.opened(), identity, cookies, () -> events);
    }

    private static AuthCookies cookies(Clock clock) {
        return new AuthCookies(AuthCookies.REST, RestComponent.PATH, clock, Duration.ofHours(1),
                List.of("one-key-of-this-namespace-0123456789"));
    }

    private static String value(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void aNegotiateLoginGivesTheShortNameAndACookieThatLaterRequestsShowInstead() throws Exception {
        RestLogin login = login(List.of("KERBEROS"), cookies(Clock.systemUTC()));
        assertEquals(List.of("Negotiate"), login.challenges(), "KERBEROS alone offers no Basic");
        RestLogin.Login first = login.login("Negotiate " + TestKdc.spnegoToken(alice, SERVICE), List.of(),
                "10.0.0.1", true);
        assertEquals("alice", first.user());
        assertTrue(first.setCookie().startsWith("kyuubi.rest.auth=")
                && first.setCookie().contains("; Path=/api/v1;") && first.setCookie().contains("; HttpOnly")
                && first.setCookie().endsWith("; Secure"), first.setCookie());
        assertEquals(List.of("KERBEROS alice 10.0.0.1 ok"), audit);

        RestLogin.Login later = login.login(null, List.of(value(first.setCookie())), "10.0.0.1", true);
        assertEquals("alice", later.user());
        assertNull(later.setCookie(), "a cookie login issues no new cookie");
        assertEquals(1, audit.size(), "nothing to check, nothing to audit");
    }

    @Test
    void noTokenAForgedTokenATamperedOrForeignCookieAndAPasswordAreRefused() throws Exception {
        RestLogin login = login(List.of("KERBEROS"), cookies(Clock.systemUTC()));
        RestLogin.Refused none = assertThrows(RestLogin.Refused.class, () -> login.login(null, List.of(), "c", false));
        assertTrue(none.getMessage().contains("Authorization: Negotiate"), none.getMessage());

        String forged = Base64.getEncoder().encodeToString("a forged Kerberos token".getBytes(StandardCharsets.UTF_8));
        RestLogin.Refused bad = assertThrows(RestLogin.Refused.class,
                () -> login.login("Negotiate " + forged, List.of(), "c", false));
        assertEquals("Kerberos (SPNEGO) authentication failed", bad.getMessage());
        assertTrue(bad.detail().startsWith("Kerberos (SPNEGO) authentication failed: "), bad.detail());
        assertEquals(List.of("KERBEROS ? c refused"), audit);

        String cookie = value(login.login("Negotiate " + TestKdc.spnegoToken(alice, SERVICE), List.of(), "c", false)
                .setCookie());
        String payload = cookie.substring(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
        String asRoot = cookie.replace(payload, Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).replace("alice", "root")
                        .getBytes(StandardCharsets.UTF_8)));
        RestLogin.Refused tampered = assertThrows(RestLogin.Refused.class,
                () -> login.login(null, List.of(asRoot), "c", false));
        assertTrue(tampered.getMessage().startsWith("The login cookie is not valid on this server"),
                tampered.getMessage());
        // a server with other keys (another namespace, or a random key of its own)
        RestLogin other = new RestLogin(List.of("KERBEROS"), StartGate.opened(), identity,
                new AuthCookies(AuthCookies.REST, RestComponent.PATH, Clock.systemUTC(), Duration.ofHours(1),
                        List.of()), () -> events);
        assertThrows(RestLogin.Refused.class, () -> other.login(null, List.of(cookie), "c", false));
        // expired: the same keys an hour and a minute later
        RestLogin later = login(List.of("KERBEROS"), cookies(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(61))));
        assertThrows(RestLogin.Refused.class, () -> later.login(null, List.of(cookie), "c", false));

        RestLogin.Refused password = assertThrows(RestLogin.Refused.class, () -> login.login("Basic "
                + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8)), List.of(), "c",
                false));
        assertTrue(password.getMessage().contains("Kerberos (SPNEGO) logins only"), password.getMessage());
    }

    @Test
    void kerberosBesideAPasswordTypeOffersAndTakesBoth() throws Exception {
        RestLogin login = login(List.of("KERBEROS", "NONE"), cookies(Clock.systemUTC()));
        assertEquals("NONE", login.type());
        assertEquals(List.of("Negotiate", "Basic realm=\"Kitsune\", charset=\"UTF-8\""), login.challenges());
        RestLogin.Login basic = login.login("Basic " + Base64.getEncoder().encodeToString(
                "bob:x".getBytes(StandardCharsets.UTF_8)), List.of(), "c", false);
        assertEquals("bob", basic.user());
        assertNotNull(basic.setCookie(), "a password login gets its cookie too");
        assertEquals("alice", login.login("Negotiate " + TestKdc.spnegoToken(alice, SERVICE), List.of(), "c", false)
                .user());
        assertEquals(List.of("NONE bob c ok", "KERBEROS alice c ok"), audit);
        RestLogin.Refused none = assertThrows(RestLogin.Refused.class, () -> login.login(null, null, "c", false));
        assertTrue(none.getMessage().contains("or HTTP Basic"), none.getMessage());
    }
}
