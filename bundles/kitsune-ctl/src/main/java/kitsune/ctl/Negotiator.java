package kitsune.ctl;

import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Base64;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.Oid;

/**
 * {@code --authSchema spnego}, as kyuubi-ctl does it: an {@code Authorization: Negotiate} header with a Kerberos
 * (SPNEGO) token for the REST API's principal {@code HTTP/<spnego host>} (its realm from krb5.conf), made with the
 * JDK's GSS-API. The user's Kerberos credentials come from a JAAS login: the {@code com.sun.security.jgss.krb5.initiate}
 * section of {@code -Djava.security.auth.login.config} when there is one (e.g. from a keytab), else the ticket cache of
 * {@code kinit} ({@code KRB5CCNAME}). Never a password prompt: a command without credentials fails in one line. One
 * token per login: the server keeps none.
 */
final class Negotiator {
    /** The JAAS section the JDK's own Kerberos initiators read. */
    static final String JAAS_SECTION = "com.sun.security.jgss.krb5.initiate";

    private final String host;
    private Subject subject;
    private GSSCredential credential;
    private String principal;

    Negotiator(String host) {
        this.host = host;
    }

    /** The service the tokens are for, as a principal name without realm. */
    String service() {
        return "HTTP/" + host;
    }

    /** The user's principal, once a token was made. */
    String principal() {
        return principal == null ? "the Kerberos user" : principal;
    }

    /** {@code Negotiate <token>}: a new token for each call. */
    @SuppressWarnings("removal")
    String authorization() throws CtlException {
        if (subject == null) subject = login();
        try {
            return Subject.doAs(subject, (PrivilegedExceptionAction<String>) this::token);
        } catch (PrivilegedActionException e) {
            if (e.getException() instanceof GSSException g) throw CtlException.failed(failure(g));
            throw CtlException.failed(start(String.valueOf(e.getException().getMessage())));
        }
    }

    private String token() throws GSSException {
        GSSManager manager = GSSManager.getInstance();
        Oid spnego = new Oid("1.3.6.1.5.5.2");
        if (credential == null) {
            credential = manager.createCredential(null, GSSCredential.DEFAULT_LIFETIME, spnego,
                    GSSCredential.INITIATE_ONLY);
            principal = credential.getName().toString();
        }
        GSSName server = manager.createName("HTTP@" + host, GSSName.NT_HOSTBASED_SERVICE);
        GSSContext context = manager.createContext(server, spnego, credential, GSSContext.DEFAULT_LIFETIME);
        try {
            context.requestMutualAuth(false);
            byte[] token = context.initSecContext(new byte[0], 0, 0);
            return "Negotiate " + Base64.getEncoder().encodeToString(token);
        } finally {
            context.dispose();
        }
    }

    /** The JAAS section's login when one is configured, else the ticket cache; no callback handler, so no prompt. */
    private Subject login() throws CtlException {
        Configuration configured;
        try {
            configured = Configuration.getConfiguration();
        } catch (SecurityException noFile) {
            configured = null;
        }
        Configuration config = configured != null && configured.getAppConfigurationEntry(JAAS_SECTION) != null
                ? configured : new Configuration() {
                    @Override
                    public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                        return new AppConfigurationEntry[] {new AppConfigurationEntry(
                                "com.sun.security.auth.module.Krb5LoginModule",
                                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                                Map.of("useTicketCache", "true", "doNotPrompt", "true", "refreshKrb5Config", "true"))};
                    }
                };
        Subject s = new Subject();
        try {
            new LoginContext(JAAS_SECTION, s, null, config).login();
        } catch (LoginException e) {
            throw CtlException.failed(start(String.valueOf(e.getMessage())) + NO_CREDENTIALS);
        }
        return s;
    }

    private static final String NO_CREDENTIALS = "; get a ticket first (kinit), or name a keytab login in the "
            + JAAS_SECTION + " section of a JAAS file given by -Djava.security.auth.login.config in "
            + "KITSUNE_CTL_JAVA_OPTS";

    private String start(String message) {
        return "Cannot make a Kerberos (SPNEGO) token for " + service() + " (--authSchema spnego): " + message;
    }

    private String failure(GSSException e) {
        String m = String.valueOf(e.getMessage());
        String start = start(m);
        if (m.contains("Server not found in Kerberos database") || m.contains("UNKNOWN_SERVER")) {
            return start + "; the KDC knows no " + service() + ": give the host of the REST API's principal with "
                    + "--spnegoHost (or kyuubi.ctl.rest.spnego.host)";
        }
        if (e.getMajor() == GSSException.NO_CRED || m.contains("tgt")) {
            return start + NO_CREDENTIALS;
        }
        return start;
    }
}
