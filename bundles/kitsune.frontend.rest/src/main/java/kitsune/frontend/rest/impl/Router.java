package kitsune.frontend.rest.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import kitsune.internal.text.LogText;

/**
 * Maps a method and a path below /api/v1 to its handler: patterns are segments, {@code {name}} matches any one
 * segment and hands it to the handler in order. A path no pattern matches is 404; a path some pattern matches with
 * another method is 405 naming the allowed ones.
 */
final class Router {
    interface Handler {
        Object handle(Call call) throws Exception;
    }

    /** What a request resolved to: its handler and the segments its {name} parts matched. */
    record Match(Handler handler, List<String> params, boolean open) {
    }

    private record Route(String method, String[] parts, Handler handler, boolean open) {
    }

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String pattern, Handler handler) {
        routes.add(new Route(method, split(pattern), handler, false));
        return this;
    }

    /** A route answered without a login (GET /ping, for health checks). */
    Router addOpen(String method, String pattern, Handler handler) {
        routes.add(new Route(method, split(pattern), handler, true));
        return this;
    }

    /** Every route as {@code METHOD /pattern}, in the order added (the OpenAPI document is checked against it). */
    List<String> routes() {
        return routes.stream().map(r -> r.method + " /" + String.join("/", r.parts)).toList();
    }

    Match match(String method, String path) throws RestException {
        String[] parts = split(path);
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            List<String> params = matches(r.parts, parts);
            if (params == null) continue;
            if (r.method.equals(method.toUpperCase(Locale.ROOT))) return new Match(r.handler, params, r.open);
            allowed.add(r.method);
        }
        if (!allowed.isEmpty()) {
            throw new MethodNotAllowed(method, String.join(", ", allowed));
        }
        throw RestException.notFound("No such resource: " + LogText.of("/api/v1" + path)
                + " (see docs/rest.md for the endpoints)");
    }

    private static List<String> matches(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) return null;
        List<String> params = new ArrayList<>();
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].startsWith("{")) {
                params.add(parts[i]);
            } else if (!pattern[i].equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    /** Path segments, without empty ones (a trailing or doubled slash). */
    static String[] split(String path) {
        if (path == null) return new String[0];
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    /** 405, with the methods the resource has (for the Allow header). */
    static final class MethodNotAllowed extends RestException {
        private static final long serialVersionUID = 1L;
        private final String allow;

        MethodNotAllowed(String method, String allow) {
            super(405, LogText.of(method) + " is not allowed here; allowed: " + allow);
            this.allow = allow;
        }

        String allow() {
            return allow;
        }
    }
}
