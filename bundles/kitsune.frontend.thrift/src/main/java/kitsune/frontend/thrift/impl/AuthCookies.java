package kitsune.frontend.thrift.impl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * The login cookie of the Thrift HTTP frontend, named as Hive JDBC expects it (hive.server2.auth): the user and an
 * expiry, signed with HMAC-SHA256. The keys are kitsune.frontend.thrift.http.cookie.secrets, shared by the servers of
 * a namespace (the first signs, all verify, so keys rotate without logging anyone out), or one random key per server
 * process when none is configured. A cookie that does not verify or has expired is ignored, and the client logs in with
 * its password again.
 */
final class AuthCookies {
    static final String NAME = "hive.server2.auth";
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    /** The shortest configured key taken: 32 characters, as many bytes as the HMAC-SHA256 output. */
    static final int MIN_SECRET_LENGTH = 32;

    private final Clock clock;
    private final Duration lifetime;
    /** The first signs new cookies; every one verifies. */
    private final List<SecretKeySpec> keys;

    /**
     * @param secrets the configured keys, in order; empty for one random key of this process
     * @throws IllegalArgumentException naming the key when a secret is too short
     */
    AuthCookies(Clock clock, Duration lifetime, List<String> secrets) {
        this.clock = clock;
        this.lifetime = lifetime;
        List<SecretKeySpec> ring = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            String secret = secrets.get(i);
            if (secret.length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("Key " + (i + 1) + " of "
                        + ConfigKeys.THRIFT_HTTP_COOKIE_SECRETS.name() + " has " + secret.length()
                        + " characters; give each key at least " + MIN_SECRET_LENGTH + " random characters");
            }
            ring.add(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        }
        if (ring.isEmpty()) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            ring.add(new SecretKeySpec(random, "HmacSHA256"));
        }
        this.keys = List.copyOf(ring);
    }

    /** From kyuubi.frontend.thrift.http.cookie.max.age and kitsune.frontend.thrift.http.cookie.secrets. */
    static AuthCookies from(KitsuneConf conf, Clock clock) {
        return new AuthCookies(clock, Duration.ofSeconds(conf.get(ConfigKeys.THRIFT_HTTP_COOKIE_MAX_AGE)),
                conf.get(ConfigKeys.THRIFT_HTTP_COOKIE_SECRETS));
    }

    /** The Set-Cookie header value for a user who just logged in. */
    String issue(String user, boolean secure) {
        String payload = ENCODE.encodeToString((user + "\n" + clock.instant().plus(lifetime).getEpochSecond())
                .getBytes(StandardCharsets.UTF_8));
        // SameSite=Strict: a page of another site cannot make a browser send it along (cross-site request forgery)
        return NAME + "=" + payload + "." + sign(keys.get(0), payload) + "; Path=/; HttpOnly; SameSite=Strict"
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
        byte[] shown = value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        boolean signed = false;
        for (SecretKeySpec key : keys) {
            signed |= MessageDigest.isEqual(sign(key, payload).getBytes(StandardCharsets.US_ASCII), shown);
        }
        if (!signed) return null;
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

    private static String sign(SecretKeySpec key, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return ENCODE.encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }
}
