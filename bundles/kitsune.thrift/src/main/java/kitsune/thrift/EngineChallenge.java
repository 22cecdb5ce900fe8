package kitsune.thrift;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * The login between a Kitsune server and an engine: a SASL mechanism in which both sides prove that they know the
 * shared engine secret without sending it, the engine first.
 *
 * <pre>
 * server -> engine  START  KITSUNE-ENGINE-HMAC-SHA256
 * server -> engine  OK     version 1 | server nonce (32 bytes) | the engine's address as the server dialled it
 * engine -> server  OK     engine nonce (32 bytes) | HMAC-SHA256(secret, "engine", nonces, address)
 * server -> engine  COMPLETE                          HMAC-SHA256(secret, "server", nonces, address)
 * engine -> server  COMPLETE
 * </pre>
 *
 * The server checks the engine's proof before it sends anything derived from the secret: a fake engine (a node
 * planted in ZooKeeper) gets a fresh nonce and nothing else, and no session. Nonces come from SecureRandom, so a
 * recorded answer proves nothing in another handshake; proofs are compared in constant time. The address binds the
 * handshake to the engine the server meant: an engine refuses a handshake meant for another address, so a planted
 * node cannot relay the server's challenge to the real engine and keep the logged-in connection for itself.
 *
 * <p>What this does not protect: the engine answers anyone who connects, so a recorded engine proof lets an attacker
 * test guesses of the secret offline; the secret must be long and random (the one a server generates is 32 random
 * bytes). There is no security layer: after the login, calls travel in clear on the (loopback by default) network.
 */
public final class EngineChallenge {
    public static final String MECHANISM = "KITSUNE-ENGINE-HMAC-SHA256";
    /** The longest handshake message either side accepts (before login nothing larger is read). */
    public static final int MAX_MESSAGE_BYTES = 1024;
    static final byte VERSION = 1;
    static final int NONCE_BYTES = 32;
    static final int PROOF_BYTES = 32;
    static final int MAX_ADDRESS_BYTES = 512;
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] LABEL = "kitsune-engine-login/1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SPACE_LABEL = "kitsune-engine-space/1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the engine answers a client that does not speak this mechanism or fails its proof. */
    public static final String REFUSAL = "Error validating the login: this engine takes only connections that prove "
            + "they know the engine secret (kyuubi.engine.security.enabled); connect through a Kitsune server";

    private EngineChallenge() {
    }

    /**
     * The secret the engines of one engine space are given and proven against: HMAC-SHA256 of the space's path under
     * the servers' engine secret. An engine (and whatever code a user runs in it) learns only its own space's secret,
     * so it cannot pass for an engine of another user's space, nor learn the servers' secret.
     *
     * @param secret    the servers' engine secret
     * @param spacePath the engine space's ZooKeeper path, as its nodes' parent path
     */
    public static String spaceSecret(String secret, String spacePath) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key(secret), ALGORITHM));
            field(mac, SPACE_LABEL);
            field(mac, spacePath.getBytes(StandardCharsets.UTF_8));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** How both sides name an engine's address in the handshake: {@code host:port} as in its node. */
    public static String address(String host, int port) {
        return host + ":" + port;
    }

    /**
     * The server's side.
     *
     * @param secret  the engine secret
     * @param address the engine's address as the server dials it (from its node)
     */
    public static SaslClient client(String secret, String address) {
        return new Client(key(secret), bytes(address));
    }

    /**
     * The engine's side.
     *
     * @param secret  the engine secret
     * @param address the engine's own address as it registers it
     */
    public static SaslServer server(String secret, String address) {
        return new Server(key(secret), bytes(address));
    }

    static byte[] proof(byte[] key, String role, byte[] serverNonce, byte[] engineNonce, byte[] address) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            field(mac, LABEL);
            field(mac, role.getBytes(StandardCharsets.US_ASCII));
            field(mac, serverNonce);
            field(mac, engineNonce);
            field(mac, address);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Each field with its length first, so that no two different field lists give the same bytes. */
    private static void field(Mac mac, byte[] value) {
        mac.update(ByteBuffer.allocate(4).putInt(value.length).array());
        mac.update(value);
    }

    static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    private static byte[] key(String secret) {
        if (secret == null || secret.isEmpty()) throw new IllegalArgumentException("the engine secret is empty");
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String address) {
        byte[] b = address.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_ADDRESS_BYTES) {
            throw new IllegalArgumentException("engine address longer than " + MAX_ADDRESS_BYTES + " bytes");
        }
        return b;
    }

    /** The Kitsune server: sends its nonce, checks the engine's proof, then proves itself. */
    static final class Client implements SaslClient {
        private final byte[] key;
        private final byte[] address;
        private final byte[] serverNonce = nonce();
        private int step;

        Client(byte[] key, byte[] address) {
            this.key = key;
            this.address = address;
        }

        @Override
        public String getMechanismName() {
            return MECHANISM;
        }

        @Override
        public boolean hasInitialResponse() {
            return true;
        }

        @Override
        public byte[] evaluateChallenge(byte[] challenge) throws SaslException {
            switch (step) {
                case 0 -> {
                    step = 1;
                    return ByteBuffer.allocate(1 + NONCE_BYTES + address.length).put(VERSION).put(serverNonce)
                            .put(address).array();
                }
                case 1 -> {
                    if (challenge == null || challenge.length != NONCE_BYTES + PROOF_BYTES) {
                        throw new SaslException("the engine's answer is not a " + MECHANISM + " proof");
                    }
                    byte[] engineNonce = Arrays.copyOfRange(challenge, 0, NONCE_BYTES);
                    byte[] shown = Arrays.copyOfRange(challenge, NONCE_BYTES, challenge.length);
                    byte[] expected = proof(key, "engine", serverNonce, engineNonce, address);
                    if (!MessageDigest.isEqual(expected, shown)) {
                        throw new SaslException("the engine did not prove that it knows the engine secret");
                    }
                    step = 2;
                    return proof(key, "server", serverNonce, engineNonce, address);
                }
                default -> throw new SaslException(MECHANISM + " has no further step");
            }
        }

        @Override
        public boolean isComplete() {
            return step >= 2;
        }

        @Override
        public byte[] unwrap(byte[] incoming, int offset, int len) {
            throw new IllegalStateException(MECHANISM + " has no security layer");
        }

        @Override
        public byte[] wrap(byte[] outgoing, int offset, int len) {
            throw new IllegalStateException(MECHANISM + " has no security layer");
        }

        @Override
        public Object getNegotiatedProperty(String propName) {
            if (!isComplete()) throw new IllegalStateException(MECHANISM + " login not completed");
            return Sasl.QOP.equals(propName) ? "auth" : null;
        }

        @Override
        public void dispose() {
            Arrays.fill(serverNonce, (byte) 0);
        }
    }

    /** The engine: answers the server's nonce with its own and its proof, then checks the server's proof. */
    static final class Server implements SaslServer {
        private final byte[] key;
        private final byte[] address;
        private final byte[] engineNonce = nonce();
        private byte[] serverNonce;
        private boolean complete;

        Server(byte[] key, byte[] address) {
            this.key = key;
            this.address = address;
        }

        @Override
        public String getMechanismName() {
            return MECHANISM;
        }

        @Override
        public byte[] evaluateResponse(byte[] response) throws SaslException {
            if (complete) throw new SaslException(MECHANISM + " login already completed");
            if (serverNonce == null) {
                if (response == null || response.length < 1 + NONCE_BYTES || response[0] != VERSION
                        || response.length > 1 + NONCE_BYTES + MAX_ADDRESS_BYTES) {
                    throw new SaslException(REFUSAL);
                }
                byte[] dialled = Arrays.copyOfRange(response, 1 + NONCE_BYTES, response.length);
                if (!Arrays.equals(dialled, address)) {
                    // a handshake meant for another address: a relay (the client's text is not echoed)
                    throw new SaslException(REFUSAL + " (the login was meant for another address than "
                            + new String(address, StandardCharsets.UTF_8) + ")");
                }
                serverNonce = Arrays.copyOfRange(response, 1, 1 + NONCE_BYTES);
                byte[] proof = proof(key, "engine", serverNonce, engineNonce, address);
                return ByteBuffer.allocate(NONCE_BYTES + PROOF_BYTES).put(engineNonce).put(proof).array();
            }
            byte[] expected = proof(key, "server", serverNonce, engineNonce, address);
            if (response == null || !MessageDigest.isEqual(expected, response)) throw new SaslException(REFUSAL);
            complete = true;
            return new byte[0];
        }

        @Override
        public boolean isComplete() {
            return complete;
        }

        @Override
        public String getAuthorizationID() {
            if (!complete) throw new IllegalStateException(MECHANISM + " login not completed");
            return "kitsune";
        }

        @Override
        public byte[] unwrap(byte[] incoming, int offset, int len) {
            throw new IllegalStateException(MECHANISM + " has no security layer");
        }

        @Override
        public byte[] wrap(byte[] outgoing, int offset, int len) {
            throw new IllegalStateException(MECHANISM + " has no security layer");
        }

        @Override
        public Object getNegotiatedProperty(String propName) {
            if (!complete) throw new IllegalStateException(MECHANISM + " login not completed");
            return Sasl.QOP.equals(propName) ? "auth" : null;
        }

        @Override
        public void dispose() {
            Arrays.fill(engineNonce, (byte) 0);
        }
    }
}
