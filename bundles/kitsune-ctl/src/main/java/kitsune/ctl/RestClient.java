package kitsune.ctl;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * kyuubi-ctl's REST side: calls a server's {@code /api/v1} (its {@code --hostUrl}) with HTTP Basic credentials
 * ({@code --authSchema basic}, {@code --username}, {@code --password}) and turns each refusal into one line that names
 * its cause: a wrong login, a caller who is not an administrator, a resource that does not exist, a server that cannot
 * be reached.
 */
final class RestClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI api;
    private final String authorization;
    private final String user;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    private RestClient(URI api, String authorization, String user) {
        this.api = api;
        this.authorization = authorization;
        this.user = user;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** From the command line's --hostUrl (else kyuubi.ctl.rest.base.url of the conf) and login options. */
    static RestClient of(CtlArgs a, String confBaseUrl) throws CtlException {
        return of(a, confBaseUrl, null);
    }

    /** @param fileUser the login a batch file names (its username), used when --username is not given */
    static RestClient of(CtlArgs a, String confBaseUrl, String fileUser) throws CtlException {
        String base = blankToNull(a.hostUrl) != null ? a.hostUrl.trim() : blankToNull(confBaseUrl);
        if (base == null) {
            throw CtlException.usage("Must specify the REST API's address for this command: --hostUrl "
                    + "http://host:10099 (or kyuubi.ctl.rest.base.url in kyuubi-defaults.conf)");
        }
        URI uri;
        try {
            uri = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage("Invalid --hostUrl '" + base + "': " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw CtlException.usage("Invalid --hostUrl '" + base + "': expected http://host:port or https://host:port");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        URI api = URI.create(uri.getScheme() + "://" + uri.getRawAuthority()
                + (path.endsWith("/api/v1") ? path : path + "/api/v1"));
        String schema = blankToNull(a.authSchema) == null ? "basic" : a.authSchema.trim().toLowerCase(Locale.ROOT);
        if (schema.equals("spnego")) {
            throw CtlException.usage("--authSchema spnego is not offered by Kitsune's REST API yet: use basic");
        }
        if (!schema.equals("basic")) {
            throw CtlException.usage("Unknown --authSchema '" + a.authSchema + "': expected basic");
        }
        String user = blankToNull(a.username) != null ? a.username.trim()
                : blankToNull(fileUser) != null ? fileUser.trim() : System.getProperty("user.name");
        String password = a.password == null ? "" : a.password;
        String authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new RestClient(api, authorization, user);
    }

    String user() {
        return user;
    }

    URI api() {
        return api;
    }

    JsonNode get(String path, Map<String, String> query) throws CtlException {
        return send("GET", path, query, null);
    }

    JsonNode delete(String path, Map<String, String> query) throws CtlException {
        return send("DELETE", path, query, null);
    }

    /** POSTs a JSON body. */
    JsonNode post(String path, JsonNode body) throws CtlException {
        return send("POST", path, Map.of(), body);
    }

    ObjectMapper json() {
        return json;
    }

    /** The HTTP status a call got (for callers that try an administrator's call first). */
    static final class Refused extends CtlException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(FAILED, message);
            this.status = status;
        }
    }

    private JsonNode send(String method, String path, Map<String, String> query, JsonNode body) throws CtlException {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getValue() == null) continue;
            q.add(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        URI uri = URI.create(api + path + q);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Authorization", authorization)
                .header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        HttpRequest request = b.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw CtlException.failed("Cannot reach the REST API at " + api + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CtlException.failed("Interrupted while calling " + uri);
        }
        int status = response.statusCode();
        JsonNode answer = parse(response.body());
        if (status / 100 == 2) return answer;
        String message = answer != null && answer.hasNonNull("message") ? answer.get("message").asText()
                : response.body() == null || response.body().isBlank() ? "HTTP " + status : response.body().trim();
        throw new Refused(status, switch (status) {
            case 401 -> "The REST API refused the login of " + user + " (--username/--password): " + message;
            case 403 -> user + " may not do this (kyuubi.server.administrators): " + message;
            default -> method + " " + api.getPath() + path + " failed with HTTP " + status + ": " + message;
        });
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) return null;
        try {
            return json.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
