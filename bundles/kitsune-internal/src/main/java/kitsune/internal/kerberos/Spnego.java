package kitsune.internal.kerberos;

import java.util.Base64;

import javax.security.sasl.SaslException;

import org.ietf.jgss.GSSException;

/**
 * One SPNEGO login of an HTTP request (RFC 4559, {@code Authorization: Negotiate <token>}), the same for the Thrift
 * HTTP frontend and the REST API: the token is accepted with the server's keys ({@link KerberosIdentity#accept}),
 * the client's principal becomes the user by hadoop.security.auth_to_local. HTTP keeps no state between requests,
 * so a token that needs another round is refused. What a refusal says is for the log and the audit log; the client
 * gets a 401 with {@code WWW-Authenticate: Negotiate} only.
 */
public final class Spnego {
    /** The scheme of the Authorization and WWW-Authenticate headers. */
    public static final String NEGOTIATE = "Negotiate";

    /**
     * What one Negotiate header gave.
     *
     * @param user      the session user (the principal's short name), null when refused
     * @param principal the client's principal, null when not established
     * @param reply     the WWW-Authenticate value to send back (Negotiate and the acceptor's token), or null
     * @param refusal   why the login was refused (for the log), null when accepted
     * @param checked   whether Kerberos judged the token (a login to audit); false for a header holding no token
     *                  or one that needs another round
     */
    public record Outcome(String user, String principal, String reply, String refusal, boolean checked) {
        public boolean accepted() {
            return refusal == null;
        }
    }

    private Spnego() {
    }

    /** Whether the Authorization header is a Negotiate one ("Negotiate token", or "Negotiate : token"). */
    public static boolean isNegotiate(String authorization) {
        if (authorization == null || authorization.length() <= NEGOTIATE.length()
                || !authorization.regionMatches(true, 0, NEGOTIATE, 0, NEGOTIATE.length())) {
            return false;
        }
        char next = authorization.charAt(NEGOTIATE.length());
        return next == ' ' || next == ':';
    }

    /**
     * Accepts the token of a Negotiate header (see {@link #isNegotiate}) as {@code identity}.
     *
     * @param keytabKey the key naming the acceptor's keytab, for the hint of a token for another key
     * @throws RuntimeException when the check itself failed (not the client's doing): answer 500
     */
    public static Outcome accept(KerberosIdentity identity, String authorization, String keytabKey) {
        // "Negotiate <token>" (RFC 4559), or "Negotiate : <token>" as the Hive JDBC driver sends it
        String encoded = authorization.substring(NEGOTIATE.length()).trim();
        if (encoded.startsWith(":")) encoded = encoded.substring(1).trim();
        byte[] token;
        try {
            token = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            token = new byte[0];
        }
        if (token.length == 0) return new Outcome(null, null, null, "its Negotiate header holds no base64 token", false);
        KerberosIdentity.Negotiation n;
        try {
            n = identity.accept(token);
        } catch (GSSException e) {
            return new Outcome(null, null, null, "Kerberos (SPNEGO) authentication failed: " + e.getMessage()
                    + hint(e, identity, keytabKey), true);
        }
        if (!n.established()) {
            return new Outcome(null, null, null, "its Negotiate token needs another round, which HTTP requests "
                    + "without state cannot take; the client should send a Kerberos (SPNEGO) token for "
                    + identity.principal(), false);
        }
        String reply = n.reply() != null && n.reply().length > 0
                ? NEGOTIATE + " " + Base64.getEncoder().encodeToString(n.reply()) : null;
        try {
            return new Outcome(identity.shortName(n.clientPrincipal()), n.clientPrincipal(), reply, null, true);
        } catch (SaslException e) {
            return new Outcome(null, n.clientPrincipal(), null, e.getMessage(), true);
        }
    }

    /** What a GSS failure most likely means, for the operator. */
    static String hint(GSSException e, KerberosIdentity identity, String keytabKey) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Checksum failed") || m.contains("Cannot find key")) {
            return " (the ticket is not for this server's key: the client asked for another principal than "
                    + identity.principal() + ", or the keytab of " + keytabKey + " has old keys)";
        }
        if (m.contains("Clock skew")) {
            return " (the client's and this server's clocks differ by more than Kerberos allows)";
        }
        if (m.contains("Request is a replay")) return " (a token seen before: replayed)";
        return "";
    }
}
