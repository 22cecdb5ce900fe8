package kitsune.api.events;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives what the server does, for its audit log (logger kitsune.audit) and its event log
 * (kyuubi.backend.server.event.loggers). Registered by a bundle that may be absent, stopped or replaced while the server
 * serves: callers hold it as an optional dynamic reference and call it on their own threads, so an implementation
 * returns at once and never throws. Every method does nothing by default, so {@code new ServerEvents() {}} is the one
 * to use while none is registered. Callers pass what clients sent as it is (never a password); escaping and
 * truncating is the implementation's job.
 */
@ConsumerType
public interface ServerEvents {
    /**
     * A login was checked.
     *
     * @param authType      the authentication type that checked it (NONE, LDAP, JDBC, CUSTOM, KERBEROS, ...)
     * @param user          the user name the client gave (may be null when it gave none)
     * @param clientAddress the client's address
     * @param refusal       why it was refused (for the server's eyes), or null when accepted
     */
    default void login(String authType, String user, String clientAddress, String refusal) {
    }

    /** A client session was opened. */
    default void sessionOpened(SessionEvent session) {
    }

    /** A client session was closed (by its client, idle, disconnect or the server). */
    default void sessionClosed(SessionEvent session) {
    }

    /** A statement reached its end (or was refused, or closed before it was seen to end). */
    default void statementEnded(OperationEvent operation) {
    }
}
