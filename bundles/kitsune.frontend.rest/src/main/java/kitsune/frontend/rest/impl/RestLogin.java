package kitsune.frontend.rest.impl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.Authenticator;
import kitsune.api.conf.ConfigKeys;
import kitsune.internal.start.StartGate;
import kitsune.internal.text.LogText;

/**
 * HTTP Basic logins of the REST API, checked as the Thrift frontends check SASL PLAIN: by the newest
 * {@link Authenticator} service of the configured type (the first type of kyuubi.authentication other than NOSASL);
 * NONE (and NOSASL alone) accept any password, but a user name is always needed.
 */
final class RestLogin {
    /**
     * The login was refused: 401 with this message. As on the Thrift ports, a refused password is answered with
     * "Authentication failed for user X" only; why (unknown user, wrong password, directory down) goes to the log
     * ({@link #detail()}), never with the password.
     */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final String detail;

        Refused(String message) {
            this(message, message);
        }

        Refused(String message, String detail) {
            super(message, null, false, false);
            this.detail = detail;
        }

        String detail() {
            return detail;
        }
    }

    private final String type;
    private final StartGate runtimeStarted;
    private final Map<String, CopyOnWriteArrayList<Authenticator>> authenticators = new ConcurrentHashMap<>();

    RestLogin(List<String> authentication, StartGate runtimeStarted) {
        String t = "NOSASL";
        for (String a : authentication) {
            if (!"NOSASL".equalsIgnoreCase(a.trim())) {
                t = a.trim().toUpperCase(Locale.ROOT);
                break;
            }
        }
        this.type = t;
        this.runtimeStarted = runtimeStarted;
    }

    String type() {
        return type;
    }

    void add(Authenticator authenticator, String authType) {
        authenticators.computeIfAbsent(key(authType), k -> new CopyOnWriteArrayList<>()).addIfAbsent(authenticator);
    }

    void remove(Authenticator authenticator, String authType) {
        List<Authenticator> list = authenticators.get(key(authType));
        if (list != null) list.remove(authenticator);
    }

    /**
     * The user of an Authorization header.
     *
     * @throws Refused when there is none, it is not Basic, or the authenticator refuses it
     */
    String check(String authorization) throws Refused {
        if (authorization == null || authorization.isBlank()) {
            throw new Refused("Authentication required: send HTTP Basic credentials (user and password)");
        }
        String h = authorization.trim();
        if (h.length() < 6 || !h.substring(0, 6).equalsIgnoreCase("Basic ")) {
            throw new Refused("Only HTTP Basic authentication is supported by this server");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Refused("Malformed HTTP Basic credentials: not base64");
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        String password = colon < 0 ? "" : decoded.substring(colon + 1);
        if (user.isEmpty()) throw new Refused("Malformed HTTP Basic credentials: no user name");
        if (LogText.hasControl(user) || user.length() > 256) {
            throw new Refused("Authentication failed: the user name has a control character or is too long");
        }
        if ("NONE".equals(type) || "NOSASL".equals(type)) return user;
        List<Authenticator> list = registered();
        if (list.isEmpty() && runtimeStarted.await()) list = registered();
        if (list.isEmpty()) {
            throw new Refused(failed(user), "no authenticator for "
                    + ConfigKeys.AUTHENTICATION.name() + "=" + type + " is installed on this server (bundle "
                    + "kitsune.auth)");
        }
        try {
            list.get(list.size() - 1).authenticate(user, password);
            return user;
        } catch (AuthenticationException e) {
            throw new Refused(failed(user), e.getMessage());
        } catch (RuntimeException e) {
            throw new Refused(failed(user), "the " + type + " authenticator failed (" + e + ")");
        }
    }

    private static String failed(String user) {
        return "Authentication failed for user " + user;
    }

    private List<Authenticator> registered() {
        CopyOnWriteArrayList<Authenticator> r = authenticators.get(type);
        return r == null ? List.of() : List.copyOf(r);
    }

    private static String key(String authType) {
        return authType == null ? "" : authType.toUpperCase(Locale.ROOT);
    }
}
