package kitsune.internal.cookie;

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
 * A signed login cookie of an HTTP frontend: the user and an expiry, signed with HMAC-SHA256 over the cookie's name
 * and value (so a cookie of one frontend is not taken by the other). The Thrift HTTP frontend's is named as Hive JDBC
 * expects it ({@link #THRIFT_HTTP}, path /), the REST API's {@link #REST} (path /api/v1). The keys are
 * kitsune.frontend.thrift.http.cookie.secrets, shared by the servers of a namespace (the first signs, all verify, so
 * keys rotate without logging anyone out), or one random key per frontend of a server process when none is
 * configured. A cookie that does not verify or has expired is ignored, and the client logs in again.
 * <p>
 * One implementation for both frontends: copied into each bundle from kitsune-internal ({@code -conditionalpackage}).
 */
public final class AuthCookies {
    /** The Thrift HTTP frontend's cookie, the name the Hive JDBC driver looks for. */
    public static final String THRIFT_HTTP = "hive.server2.auth";
    /** The REST API's cookie. */
    public static final String REST = "kyuubi.rest.auth";
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    /** The shortest configured key taken: 32 characters, as many bytes as the HMAC-SHA256 output. */
    public static final int MIN_SECRET_LENGTH = 32;

    private final String name;
    private final String path;
    private final Clock clock;
    private final Duration lifetime;
    /** The first signs new cookies; every one verifies. */
    private final List<SecretKeySpec> keys;

    /** The Thrift HTTP frontend's cookie ({@link #THRIFT_HTTP}, path /). */
    public AuthCookies(Clock clock, Duration lifetime, List<String> secrets) {
        this(THRIFT_HTTP, "/", clock, lifetime, secrets);
    }

    /**
     * @param name    the cookie's name
     * @param path    its Path attribute (where the browser sends it)
     * @param secrets the configured keys, in order; empty for one random key of this process
     * @throws IllegalArgumentException naming the key when a secret is too short
     */
    public AuthCookies(String name, String path, Clock clock, Duration lifetime, List<String> secrets) {
        this.name = name;
        this.path = path;
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

    /** The Thrift HTTP cookie from kyuubi.frontend.thrift.http.cookie.max.age and kitsune.frontend.thrift.http.cookie.secrets. */
    public static AuthCookies from(KitsuneConf conf, Clock clock) {
        return from(conf, clock, THRIFT_HTTP, "/");
    }

    /** A cookie of the given name and path with the lifetime and keys of the Thrift HTTP cookie's keys. */
    public static AuthCookies from(KitsuneConf conf, Clock clock, String name, String path) {
        return new AuthCookies(name, path, clock, Duration.ofSeconds(conf.get(ConfigKeys.THRIFT_HTTP_COOKIE_MAX_AGE)),
                conf.get(ConfigKeys.THRIFT_HTTP_COOKIE_SECRETS));
    }

    public String name() {
        return name;
    }

    /** The Set-Cookie header value for a user who just logged in. */
    public String issue(String user, boolean secure) {
        String payload = ENCODE.encodeToString((user + "\n" + clock.instant().plus(lifetime).getEpochSecond())
                .getBytes(StandardCharsets.UTF_8));
        // SameSite=Strict: a page of another site cannot make a browser send it along (cross-site request forgery)
        return name + "=" + payload + "." + sign(keys.get(0), payload) + "; Path=" + path + "; Max-Age="
                + lifetime.toSeconds() + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The user of a valid cookie among the request's Cookie headers, else null. */
    public String user(List<String> cookieHeaders) {
        if (cookieHeaders == null) return null;
        for (String header : cookieHeaders) {
            for (String cookie : header.split(";")) {
                String c = cookie.trim();
                if (!c.startsWith(name + "=")) continue;
                String user = verify(c.substring(name.length() + 1));
                if (user != null) return user;
            }
        }
        return null;
    }

    /** Whether the request shows a login cookie at all (valid or not). */
    public boolean presented(List<String> cookieHeaders) {
        if (cookieHeaders == null) return false;
        for (String header : cookieHeaders) {
            for (String cookie : header.split(";")) {
                if (cookie.trim().startsWith(name + "=")) return true;
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

    /** The MAC of name=payload: the name is signed too, so one frontend's cookie is no other's. */
    private String sign(SecretKeySpec key, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return ENCODE.encodeToString(mac.doFinal((name + "=" + payload).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }
}
