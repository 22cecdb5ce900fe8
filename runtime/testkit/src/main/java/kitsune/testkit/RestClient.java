package kitsune.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small client of Kyuubi's REST API (or of any HTTP service under one base URL) for the tests, on the JDK's
 * HttpClient and Jackson. A login is one string: {@code user:password} (HTTP Basic), a login cookie
 * {@code kyuubi.rest.auth=...} (sent as the Cookie header), {@code Negotiate <token>} (sent as the Authorization
 * header as it is), or null (no login). A body is a String sent as it is (so that a test can send malformed JSON)
 * or any other object written as JSON by Jackson; either goes with {@code Content-Type: application/json}.
 */
public final class RestClient {
    /** The mapper the client reads and writes JSON with. */
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final String COOKIE = "kyuubi.rest.auth=";

    private final String base;
    private final HttpClient http;

    /** @param base what paths are appended to, e.g. {@code http://127.0.0.1:10099/api/v1} */
    public RestClient(String base) {
        this(base, null);
    }

    /** @param tls what an HTTPS server's certificate is checked with (null: the JVM's default trust) */
    public RestClient(String base, SSLContext tls) {
        this.base = base;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (tls != null) b.sslContext(tls);
        this.http = b.build();
    }

    public String base() {
        return base;
    }

    /** A request for base + path with the login's header and a 3-minute timeout; the caller adds the rest. */
    public HttpRequest.Builder request(String path, String login) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(3));
        if (login == null) return b;
        if (login.startsWith(COOKIE)) return b.header("Cookie", login);
        if (login.startsWith("Negotiate ")) return b.header("Authorization", login);
        return b.header("Authorization", basic(login));
    }

    /** The Authorization header of an HTTP Basic login "user:password". */
    public static String basic(String login) {
        return "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The method on base + path, with the body (null: none) as JSON. */
    public HttpResponse<String> send(String method, String path, String login, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path, login);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : write(body)));
        return send(b);
    }

    public HttpResponse<String> get(String path, String login) throws IOException, InterruptedException {
        return send("GET", path, login, null);
    }

    public HttpResponse<String> post(String path, String login, Object body) throws IOException, InterruptedException {
        return send("POST", path, login, body);
    }

    public HttpResponse<String> put(String path, String login, Object body) throws IOException, InterruptedException {
        return send("PUT", path, login, body);
    }

    public HttpResponse<String> delete(String path, String login) throws IOException, InterruptedException {
        return send("DELETE", path, login, null);
    }

    /** The body of a 200 answer as JSON; an AssertionError naming the request, the status and the body otherwise. */
    public static JsonNode ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError(response.request().method() + " " + response.request().uri() + ": expected "
                    + "HTTP 200 but was " + response.statusCode() + ": " + response.body());
        }
        return json(response);
    }

    /** The body as JSON, whatever the status (an AssertionError naming the request if it is not JSON). */
    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError(response.request().method() + " " + response.request().uri() + ": HTTP "
                    + response.statusCode() + " with a body that is not JSON: " + response.body(), e);
        }
    }

    /** The "message" field of an error's JSON body. */
    public static String message(HttpResponse<String> response) {
        return json(response).get("message").asText();
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write " + body.getClass().getName() + " as JSON", e);
        }
    }

    /** A multipart/form-data body, as a browser's form or Kyuubi's client sends it. */
    public static final class Multipart {
        private final String boundary = "kitsune-" + UUID.randomUUID();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        /** A plain form field. */
        public Multipart field(String name, String value) {
            return part("Content-Disposition: form-data; name=\"" + name + "\"",
                    value.getBytes(StandardCharsets.UTF_8));
        }

        /** A part with the object written as JSON by Jackson, {@code Content-Type: application/json}. */
        public Multipart json(String name, Object value) {
            return part("Content-Disposition: form-data; name=\"" + name + "\"\r\nContent-Type: application/json",
                    write(value).getBytes(StandardCharsets.UTF_8));
        }

        /** A file part; the file name is sent as given (quotes and all), as a hostile client would. */
        public Multipart file(String name, String fileName, String contentType, byte[] content) {
            return part("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + fileName
                    + "\"\r\nContent-Type: " + contentType, content);
        }

        private Multipart part(String headers, byte[] content) {
            body.writeBytes(("--" + boundary + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** The request as a POST of these parts, with their Content-Type. */
        public HttpRequest.Builder post(HttpRequest.Builder request) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(body.toByteArray());
            all.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return request.header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(all.toByteArray()));
        }
    }
}
