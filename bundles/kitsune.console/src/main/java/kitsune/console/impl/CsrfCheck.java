package kitsune.console.impl;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a request may change state on the console: a browser logged in with Basic credentials sends them along
 * with any form another site makes it POST, so the login alone proves nothing about who made the request. A
 * state-changing request (any method but GET, HEAD, OPTIONS, TRACE) is taken only when the browser says it comes from
 * the console's own pages ({@code Origin}, or without it {@code Referer}, naming the scheme, host and port the request
 * was sent to) or when it carries {@value #XSRF_HEADER}, a header no cross-site form can set (as Hadoop's and
 * Kyuubi's UIs ask of scripts).
 */
final class CsrfCheck {
    static final String XSRF_HEADER = "X-XSRF-HEADER";
    static final String REST_API = "/api/v1";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private CsrfCheck() {
    }

    /**
     * @param scheme the request's scheme (http or https)
     * @param host   its Host header
     * @return null when the request may go on, else why it is refused (one line for the response and the log)
     */
    static String refusal(String method, String scheme, String host, String origin, String referer, String xsrf) {
        if (method == null || SAFE.contains(method.toUpperCase(Locale.ROOT))) return null;
        if (xsrf != null) return null;
        String self = origin(scheme, host);
        if (origin != null && !origin.isBlank()) {
            String from = originOf(origin.trim());
            return self != null && self.equals(from) ? null
                    : "Cross-origin request refused: Origin " + origin.trim() + " is not this console (" + self + ")";
        }
        if (referer != null && !referer.isBlank()) {
            String from = originOf(referer.trim());
            return self != null && self.equals(from) ? null
                    : "Cross-origin request refused: the Referer is not a page of this console (" + self + ")";
        }
        return "Request refused: a " + method.toUpperCase(Locale.ROOT) + " to the console needs an Origin or Referer "
                + "header of this console, or the header " + XSRF_HEADER + " (e.g. curl -H '" + XSRF_HEADER
                + ": true')";
    }

    /**
     * Whether a request URI is below /api/v1 (the REST frontend), after percent-decoding and removing dot segments
     * as a lenient server would: /api/v1/../system/console is the console, not the API.
     */
    static boolean isRestApi(String requestUri) {
        if (requestUri == null) return false;
        String path;
        try {
            path = URLDecoder.decode(requestUri.replace("+", "%2B"), StandardCharsets.UTF_8);
            path = new URI(null, null, path, null).normalize().getPath();
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            return false;
        }
        return path != null && (path.equals(REST_API) || path.startsWith(REST_API + "/")) && !path.contains("/../")
                && !path.contains(";") && !path.contains("\\");
    }

    /** scheme://host:port of the console as the request addressed it, or null when the Host header is unusable. */
    static String origin(String scheme, String host) {
        if (scheme == null || host == null || host.isBlank()) return null;
        return originOf(scheme + "://" + host.trim());
    }

    /** scheme://host:port (lower case, default port made explicit) of a URL, or null when it is not one. */
    static String originOf(String url) {
        try {
            URI u = new URI(url);
            String scheme = u.getScheme();
            String host = u.getHost();
            if (scheme == null || host == null) return null;
            scheme = scheme.toLowerCase(Locale.ROOT);
            int port = u.getPort();
            if (port < 0) {
                if (scheme.equals("http")) port = 80;
                else if (scheme.equals("https")) port = 443;
                else return null;
            }
            return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
