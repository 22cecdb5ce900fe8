package kitsune.frontend.rest.impl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.Authenticator;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.events.ServerEvents;
import kitsune.internal.cookie.AuthCookies;
import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.internal.kerberos.Spnego;
import kitsune.internal.start.StartGate;
import kitsune.internal.text.LogText;

/**
 * Logins of the REST API, as on the Thrift HTTP transport:
 * <ul>
 * <li>a valid login cookie ({@link AuthCookies#REST}, signed by this server's keys, not expired) names the user
 * without asking anyone;</li>
 * <li>else, with KERBEROS among kyuubi.authentication, {@code Authorization: Negotiate} (SPNEGO), accepted with the
 * keys of kyuubi.spnego.principal ({@link Spnego}), the principal's short name by hadoop.security.auth_to_local;</li>
 * <li>else HTTP Basic, checked as the Thrift frontends check SASL PLAIN: by the newest {@link Authenticator} service
 * of the password type (the first type of kyuubi.authentication other than NOSASL and KERBEROS); NONE (and NOSASL
 * alone) accept any password, but a user name is always needed; KERBEROS alone takes no password.</li>
 * </ul>
 * A Negotiate or Basic login that succeeds gets a cookie for the later requests (one LDAP bind or one Kerberos check
 * per client, not per call); each is audited (ServerEvents.login) as on the Thrift side.
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
        /** The user name of a refused password, for the audit log. */
        private transient String user;

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

    /** A login that succeeded: the user, and the headers of the answer (null when none). */
    record Login(String user, String setCookie, String negotiateReply) {
    }

    static final String KERBEROS = "KERBEROS";
    private static final ServerEvents NO_EVENTS = new ServerEvents() {
    };

    /** The password type (NOSASL for none, KERBEROS when Kerberos is the only type). */
    private final String type;
    private final boolean kerberos;
    private final StartGate runtimeStarted;
    private final Map<String, CopyOnWriteArrayList<Authenticator>> authenticators = new ConcurrentHashMap<>();
    /** The server's SPNEGO identity (kyuubi.spnego.*) with KERBEROS, else null. */
    private final KerberosIdentity spnego;
    private final AuthCookies cookies;
    private final Supplier<ServerEvents> events;

    /** Basic logins only, a cookie key of its own, no audit (tests). */
    RestLogin(List<String> authentication, StartGate runtimeStarted) {
        this(authentication, runtimeStarted, null,
                new AuthCookies(AuthCookies.REST, RestComponent.PATH, Clock.systemUTC(), Duration.ofHours(1),
                        List.of()), () -> NO_EVENTS);
    }

    /**
     * @param spnego the identity for Negotiate logins; needed (and only taken) with KERBEROS in {@code authentication}
     */
    RestLogin(List<String> authentication, StartGate runtimeStarted, KerberosIdentity spnego, AuthCookies cookies,
            Supplier<ServerEvents> events) {
        boolean k = false;
        String t = null;
        for (String a : authentication) {
            String u = a.trim().toUpperCase(Locale.ROOT);
            if (KERBEROS.equals(u)) k = true;
            else if (t == null && !"NOSASL".equals(u) && !u.isEmpty()) t = u;
        }
        this.kerberos = k;
        this.type = t != null ? t : k ? KERBEROS : "NOSASL";
        if (k && spnego == null) throw new IllegalArgumentException("KERBEROS needs the SPNEGO identity");
        this.spnego = k ? spnego : null;
        this.runtimeStarted = runtimeStarted;
        this.cookies = cookies;
        this.events = events;
    }

    String type() {
        return type;
    }

    /** What the logins are, for the start's log line. */
    String describe() {
        return (kerberos ? "SPNEGO as " + spnego.principal() + (passwords() ? " and " : "") : "")
                + (passwords() ? "Basic (" + type + ")" : "") + ", then the " + cookies.name() + " cookie";
    }

    /** Whether a user name and password are taken (not with KERBEROS alone). */
    private boolean passwords() {
        return !KERBEROS.equals(type);
    }

    /** The WWW-Authenticate challenges of a 401: Negotiate with Kerberos, Basic with a password type. */
    List<String> challenges() {
        List<String> c = new java.util.ArrayList<>(2);
        if (kerberos) c.add(Spnego.NEGOTIATE);
        if (passwords()) c.add("Basic realm=\"Kitsune\", charset=\"UTF-8\"");
        return c;
    }

    /**
     * The user of a request: from its login cookie, else from its Negotiate or Basic Authorization header (then with
     * a new cookie for the answer).
     *
     * @param client the client's address, for the audit log
     * @param secure whether the request came over TLS (the cookie is then Secure)
     * @throws Refused when there is no login, or it is refused (a cookie that is not valid: log in again)
     */
    Login login(String authorization, List<String> cookieHeaders, String client, boolean secure) throws Refused {
        String fromCookie = cookies.user(cookieHeaders);
        if (fromCookie != null) return new Login(fromCookie, null, null);
        if ((authorization == null || authorization.isBlank()) && cookies.presented(cookieHeaders)) {
            throw new Refused("The login cookie is not valid on this server (expired, altered, or signed by another "
                    + "server); log in again");
        }
        if (kerberos && Spnego.isNegotiate(authorization)) {
            Spnego.Outcome outcome = Spnego.accept(spnego, authorization, ConfigKeys.SPNEGO_KEYTAB.name());
            if (outcome.checked()) {
                events.get().login(KERBEROS, outcome.accepted() ? outcome.user() : "?", client, outcome.refusal());
            }
            if (!outcome.accepted()) {
                throw new Refused("Kerberos (SPNEGO) authentication failed", outcome.refusal());
            }
            return new Login(outcome.user(), cookies.issue(outcome.user(), secure), outcome.reply());
        }
        if (kerberos && (authorization == null || authorization.isBlank())) {
            throw new Refused("Authentication required: log in with Kerberos (Authorization: Negotiate)"
                    + (passwords() ? " or HTTP Basic (user and password)" : ""));
        }
        String user = check(authorization, client);
        return new Login(user, cookies.issue(user, secure), null);
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
        return check(authorization, null);
    }

    private String check(String authorization, String client) throws Refused {
        if (authorization == null || authorization.isBlank()) {
            throw new Refused("Authentication required: send HTTP Basic credentials (user and password)");
        }
        String h = authorization.trim();
        if (h.length() < 6 || !h.substring(0, 6).equalsIgnoreCase("Basic ")) {
            throw new Refused(kerberos ? "Only Kerberos (Authorization: Negotiate)" + (passwords() ? " and HTTP Basic "
                    + "authentication are" : " authentication is") + " supported by this server"
                    : "Only HTTP Basic authentication is supported by this server");
        }
        if (!passwords()) {
            throw new Refused("This server takes Kerberos (SPNEGO) logins only (" + ConfigKeys.AUTHENTICATION.name()
                    + "=KERBEROS), not a user name and password; log in with Authorization: Negotiate");
        }
        try {
            String user = checkBasic(h);
            events.get().login(type, user, client, null);
            return user;
        } catch (Refused r) {
            if (r.user != null) events.get().login(type, r.user, client, r.detail());
            throw r;
        }
    }

    private String checkBasic(String h) throws Refused {
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
        try {
            return checkPassword(user, password);
        } catch (Refused r) {
            r.user = user;
            throw r;
        }
    }

    private String checkPassword(String user, String password) throws Refused {
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
