package kitsune.frontend.rest.impl;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.internal.text.LogText;
import kitsune.internal.threads.NamedThreads;

/**
 * Forwarding a batch request to the server that owns the batch, and trusting such a request on the owner.
 *
 * <p>The forwarding server sends the request to the owner's REST API (its URL as the owner published it in
 * ZooKeeper) with two headers: {@link #USER} (the caller it authenticated) and {@link #SIGNATURE}: an expiry (epoch
 * seconds, {@link #LIFETIME} ahead) and an HMAC-SHA256, with the first key of kitsune.frontend.thrift.http.cookie.secrets,
 * over a purpose label, the user, the method, the exact path and query sent, and the expiry. The owner accepts the
 * user only when a key of its own list verifies the signature and the expiry has not passed; a request showing one
 * of the headers that does not verify is refused (401), never taken as a login. A forwarded request is never
 * forwarded again. Without configured keys (each server then has a random key of its own) nothing is forwarded and
 * no forwarded request is accepted.
 *
 * <p>The answer of the owner (status and JSON body, at most {@link #MAX_ANSWER} bytes) is relayed unchanged; no other
 * header of it is, and an answer that is not JSON is not relayed at all (502).
 */
final class Forwarding implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarding.class);
    static final String USER = "X-Kitsune-Forwarded-User";
    static final String SIGNATURE = "X-Kitsune-Forward-Signature";
    /** How long a signature stays good: enough for clocks a little apart, short for a replay. */
    static final Duration LIFETIME = Duration.ofSeconds(60);
    static final int MAX_ANSWER = 8 << 20;
    private static final String PURPOSE = "kitsune-rest-forward-v1";

    /** An answer of the owner, relayed as it is. */
    record Relayed(int status, String contentType, byte[] body) {
    }

    private final List<SecretKeySpec> keys;
    private final Clock clock;
    private final HttpClient client;
    private final ExecutorService executor;
    private final Duration socketTimeout;

    /**
     * @param secrets kitsune.frontend.thrift.http.cookie.secrets: empty switches forwarding off both ways
     */
    Forwarding(List<String> secrets, Duration connectTimeout, Duration socketTimeout, Clock clock) {
        List<SecretKeySpec> ring = new ArrayList<>();
        for (String s : secrets) {
            if (s.length() >= 32) ring.add(new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        }
        this.keys = List.copyOf(ring);
        this.clock = clock;
        this.socketTimeout = socketTimeout;
        if (keys.isEmpty()) {
            this.executor = null;
            this.client = null;
        } else {
            this.executor = Executors.newCachedThreadPool(NamedThreads.daemon("kitsune-rest-forward"));
            this.client = HttpClient.newBuilder().connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER).executor(executor).build();
        }
    }

    static Forwarding from(KitsuneConf conf, Clock clock) {
        return new Forwarding(conf.get(ConfigKeys.THRIFT_HTTP_COOKIE_SECRETS),
                conf.get(ConfigKeys.BATCH_INTERNAL_REST_CLIENT_CONNECT_TIMEOUT),
                conf.get(ConfigKeys.BATCH_INTERNAL_REST_CLIENT_SOCKET_TIMEOUT), clock);
    }

    /** Whether requests are forwarded (and forwarded ones trusted): the namespace shares signing keys. */
    boolean enabled() {
        return !keys.isEmpty();
    }

    @Override
    public void close() {
        if (executor != null) executor.shutdownNow();
    }

    // ---------------------------------------------------------------- signing

    /** The value of {@link #SIGNATURE} for this request. */
    String sign(String user, String method, String pathAndQuery) {
        long expiry = clock.instant().plus(LIFETIME).getEpochSecond();
        return expiry + "." + mac(keys.get(0), user, method, pathAndQuery, expiry);
    }

    /**
     * The forwarded user of a request that shows {@link #USER} or {@link #SIGNATURE}.
     *
     * @throws RestLogin.Refused when forwarding is off, a header is missing, the signature does not verify, or it
     *                           expired
     */
    String verify(String user, String signature, String method, String pathAndQuery) throws RestLogin.Refused {
        String refused = "Forwarded request refused: only a server of this namespace may forward a request";
        if (keys.isEmpty()) {
            throw new RestLogin.Refused(refused, "forwarding is off on this server ("
                    + ConfigKeys.THRIFT_HTTP_COOKIE_SECRETS.name() + " is empty)");
        }
        if (user == null || user.isEmpty() || user.length() > 256 || LogText.hasControl(user) || signature == null) {
            throw new RestLogin.Refused(refused, "a forwarding header is missing or malformed");
        }
        int dot = signature.indexOf('.');
        long expiry;
        try {
            expiry = Long.parseLong(signature.substring(0, Math.max(0, dot)));
        } catch (NumberFormatException e) {
            throw new RestLogin.Refused(refused, "malformed forwarding signature");
        }
        byte[] shown = signature.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        boolean good = false;
        for (SecretKeySpec k : keys) {
            good |= MessageDigest.isEqual(shown, mac(k, user, method, pathAndQuery, expiry)
                    .getBytes(StandardCharsets.US_ASCII));
        }
        if (!good) {
            throw new RestLogin.Refused(refused, "the forwarding signature for " + user + " does not verify with "
                    + ConfigKeys.THRIFT_HTTP_COOKIE_SECRETS.name());
        }
        if (clock.instant().getEpochSecond() > expiry) {
            throw new RestLogin.Refused(refused, "the forwarding signature expired (clocks of the servers apart?)");
        }
        return user;
    }

    private static String mac(SecretKeySpec key, String user, String method, String pathAndQuery, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] sig = mac.doFinal((PURPOSE + "\n" + user + "\n" + method + "\n" + pathAndQuery + "\n" + expiry)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    // ---------------------------------------------------------------- forwarding

    /**
     * Sends the request to the owner and returns its answer.
     *
     * @param api       the owner's REST API, e.g. https://host:10099/api/v1
     * @param path      below /api/v1, with its query, e.g. /batches/ID/localLog?from=0&size=100
     * @param owner     the owner's host:port, for messages
     * @throws RestException 502 when the owner cannot be reached, 504 when it does not answer in time
     */
    Relayed forward(String api, String method, String path, String user, String owner) throws RestException {
        URI target;
        try {
            target = URI.create(api + path);
        } catch (IllegalArgumentException e) {
            throw new RestException(502, "The REST address " + LogText.of(api) + " published by server " + owner
                    + " is not a URL: cannot forward to it");
        }
        String scheme = target.getScheme();
        if (target.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
            throw new RestException(502, "The REST address " + LogText.of(api) + " published by server " + owner
                    + " is not an http(s) URL: cannot forward to it");
        }
        String signed = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        HttpRequest req = HttpRequest.newBuilder(target).timeout(socketTimeout)
                .header(USER, user).header(SIGNATURE, sign(user, method, signed))
                .header("Accept", RestServlet.JSON)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = resp.body()) {
                body = in.readNBytes(MAX_ANSWER + 1);
            }
            if (body.length > MAX_ANSWER) {
                throw new RestException(502, "The answer of server " + owner + " is larger than " + MAX_ANSWER
                        + " bytes: ask for fewer lines (size)");
            }
            String type = resp.headers().firstValue("Content-Type").orElse("");
            if (!type.toLowerCase(java.util.Locale.ROOT).startsWith(RestServlet.JSON)) {
                // never relay markup or anything else under this server's origin (the console's too)
                throw new RestException(502, "Server " + owner + " answered the forwarded request with "
                        + LogText.of(type.isEmpty() ? "no content type" : type) + " instead of JSON (status "
                        + resp.statusCode() + "): retry, or send the request to " + api);
            }
            LOG.debug("{} {} forwarded to {} for {}: {}", method, LogText.of(path), owner, user, resp.statusCode());
            return new Relayed(resp.statusCode(), type, body);
        } catch (HttpTimeoutException e) {
            throw new RestException(504, "Server " + owner + ", which owns the batch, did not answer in time ("
                    + (e instanceof java.net.http.HttpConnectTimeoutException
                            ? ConfigKeys.BATCH_INTERNAL_REST_CLIENT_CONNECT_TIMEOUT.name() + " to connect, or "
                            + ConfigKeys.BATCH_INTERNAL_REST_CLIENT_SOCKET_TIMEOUT.name() + " for the answer"
                            : ConfigKeys.BATCH_INTERNAL_REST_CLIENT_SOCKET_TIMEOUT.name())
                    + "): retry, or send the request to " + api);
        } catch (ConnectException e) {
            throw new RestException(502, "Cannot reach server " + owner + ", which owns the batch, at " + api
                    + " (" + e + "): retry, or send the request there");
        } catch (IOException e) {
            LOG.warn("Forwarding {} {} to {} failed", method, LogText.of(path), api, e);
            throw new RestException(502, "Forwarding to server " + owner + ", which owns the batch, failed (" + e
                    + "): retry, or send the request to " + api);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestException(503, "Interrupted while forwarding to server " + owner + ": retry");
        }
    }
}
