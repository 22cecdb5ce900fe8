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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * kyuubi-ctl's REST side: calls a server's {@code /api/v1} (its {@code --hostUrl}) and turns each refusal into one line
 * that names its cause: a wrong login, a caller who is not an administrator, a resource that does not exist, a server
 * that cannot be reached. The login is HTTP Basic ({@code --authSchema basic}, {@code --username}, {@code --password})
 * or SPNEGO ({@code --authSchema spnego}: a Kerberos token for {@code HTTP/<--spnegoHost>}, see {@link Negotiator});
 * the login cookie the server answers with is shown instead on the command's following requests, so that one command
 * is one login (a new token or the password again only when the server refuses the cookie).
 */
final class RestClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What the first request (and one after a refused cookie) shows to log in. */
    private interface Login {
        String authorization() throws CtlException;

        /** How a 401 is explained: which login was refused. */
        String refused(String message);
    }

    private final URI api;
    private final Login login;
    private final String user;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    /** The cookies the server set, by name: shown on the following requests instead of the login. */
    private final Map<String, String> cookies = new LinkedHashMap<>();

    private RestClient(URI api, Login login, String user) {
        this.api = api;
        this.login = login;
        this.user = user;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** From the command line's --hostUrl (else kyuubi.ctl.rest.base.url of the conf) and login options. */
    static RestClient of(CtlArgs a, CtlConf conf) throws CtlException {
        return of(a, conf, null);
    }

    /** @param fileUser the login a batch file names (its username), used when --username is not given */
    static RestClient of(CtlArgs a, CtlConf conf, String fileUser) throws CtlException {
        String confBaseUrl = conf.restBaseUrl();
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
        String schema = blankToNull(a.authSchema) == null ? conf.restAuthSchema()
                : a.authSchema.trim().toLowerCase(Locale.ROOT);
        if (schema.equals("spnego")) {
            String host = blankToNull(a.spnegoHost) != null ? a.spnegoHost.trim()
                    : blankToNull(conf.restSpnegoHost()) != null ? conf.restSpnegoHost() : uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (!host.matches("[A-Za-z0-9._:-]+")) {
                throw CtlException.usage("Invalid --spnegoHost '" + host + "': expected the host name of the REST "
                        + "API's HTTP/<host> principal");
            }
            Negotiator negotiator = new Negotiator(host);
            // the first token now: no ticket fails the command before any request
            String first = negotiator.authorization();
            return new RestClient(api, new Login() {
                private String unused = first;

                @Override
                public String authorization() throws CtlException {
                    String token = unused != null ? unused : negotiator.authorization();
                    unused = null;
                    return token;
                }

                @Override
                public String refused(String message) {
                    return "The REST API refused the SPNEGO login of " + negotiator.principal() + " for "
                            + negotiator.service() + " (--authSchema spnego, --spnegoHost): " + message;
                }
            }, negotiator.principal());
        }
        if (!schema.equals("basic")) {
            throw CtlException.usage("Unknown --authSchema '" + a.authSchema + "': expected basic or spnego");
        }
        String user = blankToNull(a.username) != null ? a.username.trim()
                : blankToNull(fileUser) != null ? fileUser.trim() : System.getProperty("user.name");
        String password = a.password == null ? "" : a.password;
        String authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new RestClient(api, new Login() {
            @Override
            public String authorization() {
                return authorization;
            }

            @Override
            public String refused(String message) {
                return "The REST API refused the login of " + user + " (--username/--password): " + message;
            }
        }, user);
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
        boolean withCookie = !cookies.isEmpty();
        HttpResponse<String> response = call(method, uri, body, withCookie);
        if (response.statusCode() == 401 && withCookie) {
            // the cookie expired (or the server restarted with other keys): log in again, once
            cookies.clear();
            response = call(method, uri, body, false);
        }
        for (String set : response.headers().allValues("Set-Cookie")) {
            String pair = set.split(";", 2)[0].trim();
            int eq = pair.indexOf('=');
            if (eq > 0) cookies.put(pair.substring(0, eq), pair);
        }
        int status = response.statusCode();
        JsonNode answer = parse(response.body());
        if (status / 100 == 2) return answer;
        String message = answer != null && answer.hasNonNull("message") ? answer.get("message").asText()
                : response.body() == null || response.body().isBlank() ? "HTTP " + status : response.body().trim();
        throw new Refused(status, switch (status) {
            case 401 -> login.refused(message);
            case 403 -> user + " may not do this (kyuubi.server.administrators): " + message;
            default -> method + " " + api.getPath() + path + " failed with HTTP " + status + ": " + message;
        });
    }

    private HttpResponse<String> call(String method, URI uri, JsonNode body, boolean withCookie) throws CtlException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
        if (withCookie) {
            b.header("Cookie", String.join("; ", cookies.values()));
        } else {
            b.header("Authorization", login.authorization());
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw CtlException.failed("Cannot reach the REST API at " + api + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CtlException.failed("Interrupted while calling " + uri);
        }
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
