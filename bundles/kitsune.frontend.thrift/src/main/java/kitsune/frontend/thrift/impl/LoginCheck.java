package kitsune.frontend.thrift.impl;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import javax.security.sasl.SaslException;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.Authenticator;
import kitsune.api.events.ServerEvents;
import kitsune.api.metrics.ServerMetrics;
import kitsune.internal.start.StartGate;
import kitsune.internal.text.LogText;
import kitsune.thrift.PlainCredentials;

/**
 * Checks SASL PLAIN logins with the {@link Authenticator} service of the configured type (the first type of
 * kyuubi.authentication other than NOSASL). The services come and go with their bundles: a login uses the newest one
 * registered at that moment, and without one every login of that type is refused. NONE accepts everyone without
 * asking any service. A refused login reaches the client as "Authentication failed for user X" only (Hive JDBC shows
 * it after "Peer indicated failure:"); the reason, naming what is missing or wrong, goes to the server log
 * ({@link LoginRefusedException#detail()}), never with the password. Each refusal is counted in the metrics by
 * authenticator type (kitsune_login_failed_total).
 */
final class LoginCheck implements PlainCredentials {
    private final String type;
    private final StartGate runtimeStarted;
    private final Supplier<ServerMetrics> metrics;
    private final Supplier<ServerEvents> events;
    private final Map<String, CopyOnWriteArrayList<Authenticator>> authenticators = new ConcurrentHashMap<>();

    /** For a runtime that has started (tests). */
    LoginCheck(String type) {
        this(type, StartGate.opened());
    }

    /**
     * @param runtimeStarted open once the runtime has started every bundle: File Install starts the authenticator
     *                       bundle just before that, and a client may already have reached the port
     */
    LoginCheck(String type, StartGate runtimeStarted) {
        this(type, runtimeStarted, Recorder.OFF);
    }

    LoginCheck(String type, StartGate runtimeStarted, Supplier<ServerMetrics> metrics) {
        this(type, runtimeStarted, metrics, AuditTrail.OFF);
    }

    LoginCheck(String type, StartGate runtimeStarted, Supplier<ServerMetrics> metrics,
            Supplier<ServerEvents> events) {
        this.type = type.toUpperCase(Locale.ROOT);
        this.runtimeStarted = runtimeStarted;
        this.metrics = metrics;
        this.events = events;
    }

    /**
     * Tells the audit log the outcome of a login from {@code client}: {@code refusal} is the server-side reason (never
     * a password), null when accepted; {@code authType} null for this check's type.
     */
    void audit(String authType, String user, String client, String refusal) {
        events.get().login(authType == null ? type : authType, user, client, refusal);
    }

    void add(Authenticator authenticator, String authType) {
        authenticators.computeIfAbsent(key(authType), t -> new CopyOnWriteArrayList<>()).addIfAbsent(authenticator);
    }

    void remove(Authenticator authenticator, String authType) {
        List<Authenticator> list = authenticators.get(key(authType));
        if (list != null) list.remove(authenticator);
    }

    @Override
    public void check(String user, String password) throws SaslException {
        if (LogText.hasControl(user)) {
            // refused before any authenticator (LDAP, JDBC, a custom one) sees it, on both Thrift ports
            throw new SaslException("Invalid user name: a user name may not contain control characters");
        }
        if ("NONE".equals(type)) return;
        if (FrontendSettings.KERBEROS.equals(type)) {
            metrics.get().loginFailed(type, user);
            throw new LoginRefusedException(user, "kyuubi.authentication=KERBEROS takes Kerberos (GSSAPI) logins "
                    + "only, not a user name and password; add a password type (e.g. KERBEROS,LDAP) to take both");
        }
        try {
            checkWithAuthenticator(user, password);
        } catch (LoginRefusedException e) {
            metrics.get().loginFailed(type, user);
            throw e;
        }
    }

    private void checkWithAuthenticator(String user, String password) throws LoginRefusedException {
        List<Authenticator> list = registered();
        if (list.isEmpty() && runtimeStarted.await()) list = registered();
        if (list.isEmpty()) {
            throw new LoginRefusedException(user, "no authenticator for kyuubi.authentication=" + type
                    + " is installed on this server (bundle kitsune.auth), so logins are refused until one is");
        }
        try {
            list.get(list.size() - 1).authenticate(user, password);
        } catch (AuthenticationException e) {
            throw new LoginRefusedException(user, e.getMessage());
        } catch (RuntimeException e) {
            throw new LoginRefusedException(user, "the " + type + " authenticator failed (" + e + ")");
        }
    }

    private List<Authenticator> registered() {
        CopyOnWriteArrayList<Authenticator> registered = authenticators.get(type);
        return registered == null ? List.of() : List.copyOf(registered);
    }

    private static String key(String authType) {
        return authType == null ? "" : authType.toUpperCase(Locale.ROOT);
    }
}
