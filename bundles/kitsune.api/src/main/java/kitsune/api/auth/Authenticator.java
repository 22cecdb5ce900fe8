package kitsune.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Checks the user name and password a client sends in its SASL PLAIN login. Registered as an OSGi service with the
 * property {@link #AUTH_TYPE} naming the {@code kyuubi.authentication} type it implements (LDAP, JDBC, CUSTOM).
 * Authenticators may come and go while the server runs: a login uses whichever is registered at that moment, and
 * with none for the configured type every login is refused.
 */
@ConsumerType
public interface Authenticator {
    /** Service property: the kyuubi.authentication type served, e.g. LDAP. */
    String AUTH_TYPE = "kitsune.authentication.type";

    /**
     * Returns normally when the password is right.
     *
     * @throws AuthenticationException when it is not, or when it cannot be checked; its message is shown to the
     *                                 client and logged, so it never contains the password
     */
    void authenticate(String user, String password) throws AuthenticationException;
}
