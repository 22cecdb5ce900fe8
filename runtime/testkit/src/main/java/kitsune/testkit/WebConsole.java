package kitsune.testkit;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import org.awaitility.core.ConditionTimeoutException;

/** The Felix Web Console of a running server, driven over HTTP as a browser would. */
public final class WebConsole {
    private static final Pattern ANNOUNCED = Pattern.compile("Web Console at (https?://\\S+/system/console)");

    private final String url;
    private final String authorization;
    private final String origin;
    private final HttpClient http;

    public WebConsole(String url, String user, String password) {
        this(url, user, password, null);
    }

    /** @param tls what an HTTPS console's certificate is checked with (null: the JVM's default trust) */
    public WebConsole(String url, String user, String password, SSLContext tls) {
        this.url = url;
        this.authorization = basic(user, password);
        URI u = URI.create(url);
        this.origin = u.getScheme() + "://" + u.getRawAuthority();
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (tls != null) b.sslContext(tls);
        this.http = b.build();
    }

    /** The console the server announced in its log (waits for the line). */
    public static WebConsole of(KitsuneServer server, String user, String password) throws Exception {
        return of(server, user, password, null);
    }

    /** The console the server announced in its log, over HTTPS checked with this context. */
    public static WebConsole of(KitsuneServer server, String user, String password, SSLContext tls) throws Exception {
        return new WebConsole(server.awaitLog(ANNOUNCED, Duration.ofSeconds(30)).group(1), user, password, tls);
    }

    /** scheme://host:port of the console: the Origin a browser sends from its pages. */
    public String origin() {
        return origin;
    }

    /** A TLS context that trusts the certificates of this PKCS12 trust store. */
    public static SSLContext trusting(java.nio.file.Path truststore, String password) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(truststore)) {
            ks.load(in, password.toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    public String url() {
        return url;
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A field of the bundle's entry in bundles.json ("id", "version", "state"); empty when there is no such bundle. */
    public String bundleField(String symbolicName, String field) throws Exception {
        String json = http.send(HttpRequest.newBuilder(URI.create(url + "/bundles.json"))
                .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher entry = Pattern.compile("\\{[^{}]*\"symbolicName\":\"" + Pattern.quote(symbolicName) + "\"[^{}]*\\}")
                .matcher(json);
        if (!entry.find()) return "";
        Matcher value = Pattern.compile("\"" + Pattern.quote(field) + "\":\"?([^\",}]+)").matcher(entry.group());
        return value.find() ? value.group(1) : "";
    }

    /** Presses a bundle's button on the Bundles page: start, stop, update, refresh, uninstall. */
    public HttpResponse<String> bundleAction(String symbolicName, String action) throws Exception {
        String id = bundleField(symbolicName, "id");
        if (id.isEmpty()) throw new AssertionError("no bundle " + symbolicName + " in " + url);
        return http.send(HttpRequest.newBuilder(URI.create(url + "/bundles/" + id))
                .header("Authorization", authorization).header("Origin", origin)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("action=" + action)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the bundle's field has the value; returns the last value seen (the caller asserts it). */
    public String awaitBundleField(String symbolicName, String field, String expected, Duration timeout) {
        AtomicReference<String> seen = new AtomicReference<>("");
        try {
            await(symbolicName + " " + field + " is " + expected).atMost(timeout).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        seen.set(bundleField(symbolicName, field));
                        return seen.get().equals(expected);
                    });
        } catch (ConditionTimeoutException e) {
            // the caller's assertion names the value seen last
        }
        return seen.get();
    }

    /** Sends the request logged in, from the console's own origin (as the console's pages do). */
    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.header("Authorization", authorization).header("Origin", origin).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends the request logged in, with no header but the login added. */
    public HttpResponse<String> sendAsIs(HttpRequest.Builder request) throws Exception {
        return http.send(request.header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
    }
}
