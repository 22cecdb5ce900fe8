package kitsune.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Felix Web Console of a running server, driven over HTTP as a browser would. */
public final class WebConsole {
    private static final Pattern ANNOUNCED = Pattern.compile("Web Console at (http://\\S+/system/console)");

    private final String url;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public WebConsole(String url, String user, String password) {
        this.url = url;
        this.authorization = basic(user, password);
    }

    /** The console the server announced in its log (waits for the line). */
    public static WebConsole of(KitsuneServer server, String user, String password) throws Exception {
        return new WebConsole(server.awaitLog(ANNOUNCED, Duration.ofSeconds(30)).group(1), user, password);
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
                .header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("action=" + action)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the bundle's field has the value; returns the last value seen. */
    public String awaitBundleField(String symbolicName, String field, String expected, Duration timeout)
            throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        String seen = bundleField(symbolicName, field);
        while (!seen.equals(expected) && System.nanoTime() < end) {
            Thread.sleep(200);
            seen = bundleField(symbolicName, field);
        }
        return seen;
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
    }
}
