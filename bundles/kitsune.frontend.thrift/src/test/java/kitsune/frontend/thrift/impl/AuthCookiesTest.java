package kitsune.frontend.thrift.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        AuthCookies cookies = new AuthCookies(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));
        String set = cookies.issue("hugo", true);
        assertTrue(set.startsWith("hive.server2.auth="), set);
        assertTrue(set.endsWith("; Path=/; HttpOnly; SameSite=Strict; Secure"), set);
        assertTrue(cookies.issue("hugo", false).endsWith("; Path=/; HttpOnly; SameSite=Strict"), "no Secure without TLS");
        assertEquals("hugo", cookies.user(List.of("other=1; " + value(set))));
        AuthCookies later = new AuthCookies(Clock.fixed(NOW.plus(Duration.ofHours(2)), ZoneOffset.UTC),
                Duration.ofHours(1));
        assertNull(later.user(List.of(value(set))), "another process (another key) does not take it");
    }

    @Test
    void anExpiredOrForgedCookieIsIgnored() {
        AuthCookies issuer = new AuthCookies(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(1));
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
}
