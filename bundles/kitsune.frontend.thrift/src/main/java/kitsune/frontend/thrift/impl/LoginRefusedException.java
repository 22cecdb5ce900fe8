package kitsune.frontend.thrift.impl;

import javax.security.sasl.SaslException;

/**
 * A refused login: the client reads only "Authentication failed for user X"; why (a wrong password, an LDAP or JDBC
 * error text, a missing authenticator bundle) is the {@link #detail()} that goes to the server log, never to the
 * client, since it may show a directory's structure, a database URL or whether a user exists.
 */
final class LoginRefusedException extends SaslException {
    private static final long serialVersionUID = 1L;
    private final String detail;
    private final String user;

    LoginRefusedException(String user, String detail) {
        super("Authentication failed for user " + printable(user));
        this.detail = detail;
        this.user = user;
    }

    /** The user name the client gave, as it gave it. */
    String user() {
        return user;
    }

    /** What the server log says: the user and the cause. */
    String detail() {
        return getMessage() + ": " + detail;
    }

    /** Control characters of a name shown as \\uXXXX, so that a name cannot forge a log line. */
    static String printable(String name) {
        if (name == null) return "null";
        StringBuilder b = new StringBuilder();
        name.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
