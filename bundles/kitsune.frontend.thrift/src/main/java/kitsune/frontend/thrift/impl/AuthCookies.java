package kitsune.frontend.thrift.impl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The login cookie of the Thrift HTTP frontend, named as Hive JDBC expects it (hive.server2.auth): the user and an
 * expiry, signed with HMAC-SHA256 under a key that lives as long as this server process. A cookie that does not
 * verify, has expired or comes from an earlier process is ignored, and the client logs in with its password again.
 */
final class AuthCookies {
    static final String NAME = "hive.server2.auth";
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    private final Clock clock;
    private final Duration lifetime;
    private final byte[] key = new byte[32];

    AuthCookies(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
        new SecureRandom().nextBytes(key);
    }

    /** The Set-Cookie header value for a user who just logged in. */
    String issue(String user, boolean secure) {
        String payload = ENCODE.encodeToString((user + "\n" + clock.instant().plus(lifetime).getEpochSecond())
                .getBytes(StandardCharsets.UTF_8));
        // SameSite=Strict: a page of another site cannot make a browser send it along (cross-site request forgery)
        return NAME + "=" + payload + "." + sign(payload) + "; Path=/; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    /** The user of a valid cookie among the request's Cookie headers, else null. */
    String user(List<String> cookieHeaders) {
        if (cookieHeaders == null) return null;
        for (String header : cookieHeaders) {
            for (String cookie : header.split(";")) {
                String c = cookie.trim();
                if (!c.startsWith(NAME + "=")) continue;
                String user = verify(c.substring(NAME.length() + 1));
                if (user != null) return user;
            }
        }
        return null;
    }

    /** Whether the request shows a login cookie at all (valid or not). */
    static boolean presented(List<String> cookieHeaders) {
        if (cookieHeaders == null) return false;
        for (String header : cookieHeaders) {
            for (String cookie : header.split(";")) {
                if (cookie.trim().startsWith(NAME + "=")) return true;
            }
        }
        return false;
    }

    private String verify(String value) {
        int dot = value.lastIndexOf('.');
        if (dot <= 0) return null;
        String payload = value.substring(0, dot);
        byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(DECODE.decode(payload), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int nl = decoded.lastIndexOf('\n');
        if (nl < 0) return null;
        try {
            if (Long.parseLong(decoded.substring(nl + 1)) < clock.instant().getEpochSecond()) return null;
        } catch (NumberFormatException e) {
            return null;
        }
        return decoded.substring(0, nl);
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return ENCODE.encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }
}
