package kitsune.frontend.thrift.impl;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.security.sasl.SaslException;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.Authenticator;
import kitsune.thrift.PlainCredentials;

/**
 * Checks SASL PLAIN logins with the {@link Authenticator} service of the configured type (the first type of
 * kyuubi.authentication other than NOSASL). The services come and go with their bundles: a login uses the newest one
 * registered at that moment, and without one every login of that type is refused, naming what is missing. NONE
 * accepts everyone without asking any service. Messages reach the client as the SASL failure reason (Hive JDBC shows
 * them after "Peer indicated failure:") and the server log; they never contain the password.
 */
final class LoginCheck implements PlainCredentials {
    /** How long a login waits, while the server still starts, for the authenticator bundle to come up. */
    static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final String type;
    private final CountDownLatch runtimeStarted;
    private final Map<String, CopyOnWriteArrayList<Authenticator>> authenticators = new ConcurrentHashMap<>();

    /** For a runtime that has started (tests). */
    LoginCheck(String type) {
        this(type, new CountDownLatch(0));
    }

    /**
     * @param runtimeStarted open once the runtime has started every bundle: File Install starts the authenticator
     *                       bundle just before that, and a client may already have reached the port
     */
    LoginCheck(String type, CountDownLatch runtimeStarted) {
        this.type = type.toUpperCase(Locale.ROOT);
        this.runtimeStarted = runtimeStarted;
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
        if ("NONE".equals(type)) return;
        List<Authenticator> list = registered();
        if (list.isEmpty() && awaitRuntimeStarted()) list = registered();
        if (list.isEmpty()) {
            throw new SaslException("Error validating the login of " + user + ": no authenticator for "
                    + "kyuubi.authentication=" + type + " is installed on this server (bundle kitsune.auth), so "
                    + "logins are refused until one is");
        }
        try {
            list.get(list.size() - 1).authenticate(user, password);
        } catch (AuthenticationException e) {
            throw new SaslException("Error validating the login of " + user + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new SaslException("Error validating the login of " + user + ": the " + type
                    + " authenticator failed (" + e + ")");
        }
    }

    private List<Authenticator> registered() {
        CopyOnWriteArrayList<Authenticator> registered = authenticators.get(type);
        return registered == null ? List.of() : List.copyOf(registered);
    }

    /** True when the runtime has started (at once if it had already); false when interrupted or out of time. */
    private boolean awaitRuntimeStarted() {
        try {
            return runtimeStarted.await(STARTUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String key(String authType) {
        return authType == null ? "" : authType.toUpperCase(Locale.ROOT);
    }
}
