package kitsune.thrift;

import java.nio.charset.StandardCharsets;

import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * The server side of SASL PLAIN (RFC 4616). The JDK ships PLAIN only as a client, so servers that speak to the Hive
 * JDBC driver need their own. {@link PlainCredentials} decides on the user name and password. With
 * {@link PlainCredentials#ANY} (kyuubi.authentication=NONE) the authorization id, else the authentication id, becomes
 * the user; when passwords are checked, an authorization id other than the user's own is refused (it would let one
 * user act as another).
 */
public final class PlainSaslServer implements SaslServer {
    public static final String MECHANISM = "PLAIN";

    private final PlainCredentials credentials;
    private String user;

    /** Accepts every login (kyuubi.authentication=NONE). */
    public PlainSaslServer() {
        this(PlainCredentials.ANY);
    }

    public PlainSaslServer(PlainCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public String getMechanismName() {
        return MECHANISM;
    }

    /** Parses {@code [authzid] NUL authcid NUL passwd}; PLAIN completes in this one step. */
    @Override
    public byte[] evaluateResponse(byte[] response) throws SaslException {
        if (user != null) throw new SaslException("PLAIN authentication already completed");
        String message = new String(response, StandardCharsets.UTF_8);
        int first = message.indexOf('\0');
        int second = first < 0 ? -1 : message.indexOf('\0', first + 1);
        if (first < 0 || second < 0) {
            throw new SaslException("Malformed PLAIN response: expected [authzid] NUL user NUL password");
        }
        String authzid = message.substring(0, first);
        String authcid = message.substring(first + 1, second);
        String password = message.substring(second + 1);
        if (authcid.isEmpty()) throw new SaslException("PLAIN response without a user name");
        if (credentials != PlainCredentials.ANY && !authzid.isEmpty() && !authzid.equals(authcid)) {
            throw new SaslException("Error validating the login: user " + authcid + " may not act as " + authzid);
        }
        credentials.check(authcid, password);
        user = authzid.isEmpty() ? authcid : authzid;
        return null;
    }

    @Override
    public boolean isComplete() {
        return user != null;
    }

    @Override
    public String getAuthorizationID() {
        if (user == null) throw new IllegalStateException("PLAIN authentication not completed");
        return user;
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) {
        throw new IllegalStateException("PLAIN supports no security layer");
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) {
        throw new IllegalStateException("PLAIN supports no security layer");
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
        if (user == null) throw new IllegalStateException("PLAIN authentication not completed");
        return Sasl.QOP.equals(propName) ? "auth" : null;
    }

    @Override
    public void dispose() {
        user = null;
    }
}
