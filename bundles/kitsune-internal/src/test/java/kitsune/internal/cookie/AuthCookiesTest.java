package kitsune.internal.cookie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

class AuthCookiesTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static String value(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void aCookieNamesItsUserUntilItExpires() {
        AuthCookies cookies = new AuthCookies(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1), List.of());
        String set = cookies.issue("hugo", true);
        assertTrue(set.startsWith("hive.server2.auth="), set);
        assertTrue(set.endsWith("; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict; Secure"), set);
        assertTrue(cookies.issue("hugo", false).endsWith("; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict"),
                "no Secure without TLS");
        assertEquals("hugo", cookies.user(List.of("other=1; " + value(set))));
        AuthCookies later = new AuthCookies(Clock.fixed(NOW.plus(Duration.ofHours(2)), ZoneOffset.UTC),
                Duration.ofHours(1), List.of());
        assertNull(later.user(List.of(value(set))), "another process (another key) does not take it");
    }

    @Test
    void anExpiredOrForgedCookieIsIgnored() {
        AuthCookies issuer = new AuthCookies(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(1), List.of());
        String cookie = value(issuer.issue("hugo", false));
        assertEquals("hugo", issuer.user(List.of(cookie)));
        String payload = cookie.substring(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
        String forged = "hive.server2.auth=" + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("root\n9999999999".getBytes()) + cookie.substring(cookie.lastIndexOf('.'));
        assertNull(issuer.user(List.of(forged)), "the signature covers the user and the expiry");
        assertNull(issuer.user(List.of("hive.server2.auth=" + payload)), "unsigned");
        assertNull(issuer.user(List.of("hive.server2.auth=garbage.x")));
        assertNull(issuer.user(null));
    }

    private static final String OLD = "an-old-key-of-the-namespace-0123456789";
    private static final String NEW = "a-new-key-of-the-namespace-9876543210";

    @Test
    void everyServerWithTheSameKeysTakesTheCookieAndKeysRotateWithoutLoggingAnyoneOut() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        String before = value(new AuthCookies(clock, Duration.ofHours(1), List.of(OLD)).issue("hugo", false));
        AuthCookies other = new AuthCookies(clock, Duration.ofHours(1), List.of(OLD));
        assertEquals("hugo", other.user(List.of(before)), "another server of the namespace takes it");

        AuthCookies rotating = new AuthCookies(clock, Duration.ofHours(1), List.of(NEW, OLD));
        assertEquals("hugo", rotating.user(List.of(before)), "a cookie signed with the old key still works");
        String after = value(rotating.issue("hugo", false));
        AuthCookies rotated = new AuthCookies(clock, Duration.ofHours(1), List.of(NEW));
        assertEquals("hugo", rotated.user(List.of(after)), "new cookies are signed with the first key");
        assertNull(rotated.user(List.of(before)), "once the old key is dropped its cookies are not taken");
        assertNull(new AuthCookies(clock, Duration.ofHours(1), List.of()).user(List.of(after)),
                "a server without the keys does not take them");
    }

    @Test
    void theRestCookieIsScopedToTheApiAndNeitherFrontendTakesTheOthersCookie() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AuthCookies thrift = new AuthCookies(clock, Duration.ofHours(1), List.of(OLD));
        AuthCookies rest = new AuthCookies(AuthCookies.REST, "/api/v1", clock, Duration.ofHours(1), List.of(OLD));
        String set = rest.issue("hugo", false);
        assertTrue(set.startsWith("kyuubi.rest.auth=") && set.contains("; Path=/api/v1;"), set);
        String restCookie = value(set);
        assertEquals("hugo", rest.user(List.of(restCookie)));
        assertTrue(rest.presented(List.of("a=b; " + restCookie)));
        assertFalse(thrift.presented(List.of(restCookie)));
        // the same keys, the value renamed: the name is signed too, so the other frontend refuses it
        String renamed = AuthCookies.THRIFT_HTTP + restCookie.substring(restCookie.indexOf('='));
        assertNull(thrift.user(List.of(renamed)), "a REST cookie is no Thrift HTTP login");
        String thriftCookie = value(thrift.issue("hugo", false));
        assertNull(rest.user(List.of(AuthCookies.REST + thriftCookie.substring(thriftCookie.indexOf('=')))),
                "a Thrift HTTP cookie is no REST login");
    }

    @Test
    void aCookieWithAFlippedSignatureBitOrALaterExpiryIsRefused() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AuthCookies rest = new AuthCookies(AuthCookies.REST, "/api/v1", clock, Duration.ofHours(1), List.of(OLD));
        String cookie = value(rest.issue("hugo", false));
        char last = cookie.charAt(cookie.length() - 1);
        String flipped = cookie.substring(0, cookie.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertNull(rest.user(List.of(flipped)));
        String later = AuthCookies.REST + "=" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("hugo\n" + NOW.plus(Duration.ofDays(365)).getEpochSecond()).getBytes())
                + cookie.substring(cookie.lastIndexOf('.'));
        assertNull(rest.user(List.of(later)), "the expiry is signed");
        AuthCookies expired = new AuthCookies(AuthCookies.REST, "/api/v1",
                Clock.offset(clock, Duration.ofHours(1).plusSeconds(1)), Duration.ofHours(1), List.of(OLD));
        assertNull(expired.user(List.of(cookie)), "expired");
        AuthCookies justBefore = new AuthCookies(AuthCookies.REST, "/api/v1",
                Clock.offset(clock, Duration.ofMinutes(59)), Duration.ofHours(1), List.of(OLD));
        assertEquals("hugo", justBefore.user(List.of(cookie)), "valid until it expires");
    }

    @Test
    void aShortKeyIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AuthCookies(Clock.systemUTC(), Duration.ofHours(1), List.of(NEW, "short")));
        assertEquals("Key 2 of kitsune.frontend.thrift.http.cookie.secrets has 5 characters; give each key at least "
                + "32 random characters", e.getMessage());
    }
}
