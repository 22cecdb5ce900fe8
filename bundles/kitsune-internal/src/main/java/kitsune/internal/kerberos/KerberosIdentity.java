package kitsune.internal.kerberos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Locale;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.kerberos.KeyTab;
import javax.security.auth.login.LoginException;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;

/**
 * The server's Kerberos identity for kyuubi.authentication=KERBEROS: logged in once from kyuubi.kinit.keytab as
 * kyuubi.kinit.principal with the JDK's Krb5LoginModule (as an acceptor only: the keys are read from the keytab for
 * each login, so no ticket expires and no re-login is needed), and the JDK's GSSAPI SASL server run as that identity.
 * A client's principal becomes the session user by hadoop.security.auth_to_local ({@link AuthToLocal}, the server's
 * realm being the default realm; with DEFAULT, the first component of a principal of the server's realm); a
 * principal no rule maps is refused.
 */
public final class KerberosIdentity {
    public static final String MECHANISM = "GSSAPI";
    private static final Oid KRB5 = oid("1.2.840.113554.1.2.2");
    private static final Oid SPNEGO = oid("1.3.6.1.5.5.2");
    private static final Oid KRB5_PRINCIPAL = oid("1.2.840.113554.1.2.2.1");

    /** Replaced by {@link #relogin()}; a negotiation uses the one it started with. */
    private volatile Subject subject;
    /** Logs in again from the keytab (the arguments of the first login). */
    private final java.util.function.Supplier<Subject> login;
    private final String principal;
    private final String service;
    private final String host;
    private final String realm;
    private final AuthToLocal names;

    private KerberosIdentity(Subject subject, java.util.function.Supplier<Subject> login, String principal,
            AuthToLocal names) {
        this.subject = subject;
        this.login = login;
        this.principal = principal;
        String[] parts = principal.split("[/@]");
        this.service = parts[0];
        this.host = parts[1];
        this.realm = parts[2];
        this.names = names != null ? names : AuthToLocal.parse("DEFAULT", realm);
    }

    /**
     * This identity, mapping client principals by the given hadoop.security.auth_to_local rules.
     *
     * @throws kitsune.api.conf.ConfigException naming the key when a rule is not valid
     */
    public KerberosIdentity withAuthToLocal(String rules) {
        return new KerberosIdentity(subject, login, principal, AuthToLocal.parse(rules, realm));
    }

    public String realm() {
        return realm;
    }

    /**
     * Logs in from the keytab.
     *
     * @param localHost what _HOST in the principal stands for
     * @throws ConfigException naming the key and the fix when the principal or keytab is missing or refused
     */
    public static KerberosIdentity login(String configuredPrincipal, String keytab, String localHost) {
        return login(configuredPrincipal, keytab, localHost, ConfigKeys.KINIT_PRINCIPAL.name(),
                ConfigKeys.KINIT_KEYTAB.name(), "hive/_HOST@EXAMPLE.COM");
    }

    /**
     * Logs in from the keytab, naming the given keys in errors (kyuubi.kinit.* for the binary port,
     * kyuubi.spnego.* for SPNEGO on HTTP).
     */
    public static KerberosIdentity login(String configuredPrincipal, String keytab, String localHost, String principalKey,
            String keytabKey, String example) {
        Subject subject = subject(configuredPrincipal, keytab, localHost, principalKey, keytabKey, example);
        return new KerberosIdentity(subject, () -> subject(configuredPrincipal, keytab, localHost, principalKey,
                keytabKey, example), expandHost(configuredPrincipal.trim(), localHost), null);
    }

    /**
     * Logs in from the keytab again (kyuubi.kinit.interval): the keys of a rotated keytab, a changed krb5.conf. The
     * previous login stays in use when this one fails.
     *
     * @throws ConfigException naming the key and the cause
     */
    public void relogin() {
        subject = login.get();
    }

    private static Subject subject(String configuredPrincipal, String keytab, String localHost, String principalKey,
            String keytabKey, String example) {
        String principal = expandHost(configuredPrincipal.trim(), localHost);
        if (principal.isEmpty()) {
            throw new ConfigException(principalKey, "kyuubi.authentication=KERBEROS needs "
                    + principalKey + ", the server's principal, e.g. " + example);
        }
        if (principal.split("[/@]").length != 3) {
            throw new ConfigException(principalKey, "Invalid value for "
                    + principalKey + ": '" + configuredPrincipal + "' is not a service principal "
                    + "of the form service/host@REALM, e.g. " + example);
        }
        if (keytab.isBlank() || !Files.isReadable(Path.of(keytab))) {
            throw new ConfigException(keytabKey, (keytab.isBlank() ? "kyuubi.authentication="
                    + "KERBEROS needs " + keytabKey : keytabKey + "="
                    + keytab + " is not a readable file") + "; set it to the keytab of " + principal);
        }
        Subject subject;
        try {
            subject = KeytabLogin.login("kitsune-server", principal, Path.of(keytab), false, true).getSubject();
        } catch (LoginException e) {
            throw new ConfigException(keytabKey, "Cannot log in as " + principal + " from "
                    + keytab + " (" + principalKey + ", " + keytabKey
                    + "): " + e.getMessage() + "; check that the keytab holds that principal's current keys and that "
                    + "krb5.conf (java.security.krb5.conf) names its realm");
        }
        // an acceptor's login does not read the keytab yet: a keytab without the principal's keys would fail only
        // at the first client
        boolean keys = false;
        for (KeyTab k : subject.getPrivateCredentials(KeyTab.class)) {
            keys |= k.getKeys(new KerberosPrincipal(principal)).length > 0;
        }
        if (!keys) {
            throw new ConfigException(keytabKey, "Cannot log in as " + principal + " from "
                    + keytab + " (" + principalKey + ", " + keytabKey
                    + "): the keytab holds no key of that principal; export the principal's keys into it (or name "
                    + "the principal it holds)");
        }
        return subject;
    }

    /** Hadoop's _HOST: the host name, lower-case. */
    public static String expandHost(String principal, String localHost) {
        return principal.replace("_HOST", localHost.toLowerCase(Locale.ROOT));
    }

    public String principal() {
        return principal;
    }

    /** A GSSAPI SASL server for one connection, with no security layer (QOP auth, as the Hive driver asks). */
    public SaslServer newServer() throws SaslException {
        Map<String, String> props = Map.of(Sasl.QOP, "auth", Sasl.SERVER_AUTH, "true");
        return doAs(() -> Sasl.createSaslServer(MECHANISM, service, host, props, KerberosIdentity::authorize));
    }

    /** One step of the negotiation, as the server's identity (the acceptor's keys are the Subject's). */
    public byte[] evaluate(SaslServer server, byte[] response) throws SaslException {
        return doAs(() -> server.evaluateResponse(response));
    }

    /** What one Negotiate token gave: the client's principal once established, and the token to send back. */
    public record Negotiation(String clientPrincipal, byte[] reply) {
        public boolean established() {
            return clientPrincipal != null;
        }
    }

    /**
     * Accepts one SPNEGO (or raw Kerberos, as the Hive driver sends) token of an HTTP Negotiate header with the JDK's
     * GSS-API, as the server's identity. HTTP keeps no state between requests, so a negotiation that needs a second
     * round is not established (the reply token goes back with the 401).
     *
     * @throws GSSException when the token is not valid (not a token, not for this server's key, replayed, expired)
     */
    public Negotiation accept(byte[] token) throws GSSException {
        try {
            @SuppressWarnings("removal")
            Negotiation n = Subject.doAs(subject, (PrivilegedExceptionAction<Negotiation>) () -> {
                GSSManager manager = GSSManager.getInstance();
                GSSName name = manager.createName(principal, KRB5_PRINCIPAL);
                GSSCredential credential = manager.createCredential(name, GSSCredential.INDEFINITE_LIFETIME,
                        new Oid[] {SPNEGO, KRB5}, GSSCredential.ACCEPT_ONLY);
                GSSContext context = manager.createContext(credential);
                try {
                    byte[] reply = context.acceptSecContext(token, 0, token.length);
                    return new Negotiation(context.isEstablished() ? context.getSrcName().toString() : null, reply);
                } finally {
                    context.dispose();
                    credential.dispose();
                }
            });
            return n;
        } catch (PrivilegedActionException e) {
            if (e.getException() instanceof GSSException g) throw g;
            GSSException g = new GSSException(GSSException.FAILURE, -1, String.valueOf(e.getException()));
            g.initCause(e.getException());
            throw g;
        }
    }

    /**
     * The session user for an authenticated principal, by hadoop.security.auth_to_local: with DEFAULT, alice for
     * alice@REALM or alice/admin@REALM of the server's realm.
     *
     * @throws SaslException naming the principal when no rule maps it
     */
    public String shortName(String clientPrincipal) throws SaslException {
        try {
            return names.shortName(clientPrincipal);
        } catch (AuthToLocal.NoMapping e) {
            throw new SaslException("the Kerberos principal " + clientPrincipal + " has no user name: "
                    + e.getMessage());
        }
    }

    /** A client may act only as itself: the authorization id, when given, is its own principal. */
    private static void authorize(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback c : callbacks) {
            if (c instanceof AuthorizeCallback a) {
                a.setAuthorized(a.getAuthenticationID().equals(a.getAuthorizationID()));
            } else {
                throw new UnsupportedCallbackException(c);
            }
        }
    }

    private static Oid oid(String value) {
        try {
            return new Oid(value);
        } catch (GSSException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T doAs(PrivilegedExceptionAction<T> action) throws SaslException {
        try {
            @SuppressWarnings("removal")
            T result = Subject.doAs(subject, action);
            return result;
        } catch (PrivilegedActionException e) {
            Throwable cause = e.getException();
            if (cause instanceof SaslException s) throw s;
            throw new SaslException(String.valueOf(cause.getMessage()), cause);
        }
    }
}
