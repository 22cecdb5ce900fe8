package kitsune.session.impl;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TSessionHandle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;

import kitsune.api.engine.EngineConf;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkPaths;

/**
 * The record of each open session in ZooKeeper ({@code /<namespace>_sessions/<session id>}), written at OpenSession
 * and removed at close: what any server of the namespace needs to continue the session when the server that opened
 * it is gone — the engine's address, the engine-side handle, the session's user and login, the protocol, and a hash
 * of the client handle's secret half. No credential is in it: the engine's handle only names a session behind the
 * servers, and who may use it is checked against the user, the login and the handle.
 */
final class SessionRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One session's record. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    /**
     * @param handleSecretHash SHA-256 of the secret half of the session handle the client holds: a server that
     *                         continues the session checks the handle without the record revealing it
     */
    record Entry(int version, String user, String login, String engineHost, int enginePort, String engineAuth,
            String engineSpace, String engineGuid, String engineSecret, int protocol, String server,
            String handleSecretHash) {
        TSessionHandle engineHandle() {
            Base64.Decoder d = Base64.getDecoder();
            return new TSessionHandle(new THandleIdentifier(java.nio.ByteBuffer.wrap(d.decode(engineGuid)),
                    java.nio.ByteBuffer.wrap(d.decode(engineSecret))));
        }

        /** The engine as a node of its space, as the channels to engines know them. */
        ServiceNode engineNode() {
            Map<String, String> attrs = engineAuth == null || engineAuth.isEmpty() ? Map.of()
                    : Map.of(EngineConf.NODE_AUTH, engineAuth);
            return new ServiceNode(engineSpace, "record", engineHost, enginePort, attrs);
        }

        TProtocolVersion protocolVersion() {
            TProtocolVersion v = TProtocolVersion.findByValue(protocol);
            return v == null ? TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 : v;
        }

        /** Whether that login may use the session: its user, or the login that opened it for that user. */
        boolean usableBy(String caller) {
            return caller != null && (caller.equals(user) || caller.equals(login));
        }

        static Entry of(String user, String login, String engineHost, int enginePort, String engineAuth,
                String engineSpace, TSessionHandle engineHandle, TProtocolVersion protocol, String server,
                TSessionHandle clientHandle) {
            Base64.Encoder e = Base64.getEncoder();
            return new Entry(1, user, login, engineHost, enginePort, engineAuth, engineSpace,
                    e.encodeToString(engineHandle.getSessionId().getGuid()),
                    e.encodeToString(engineHandle.getSessionId().getSecret()), protocol.getValue(), server,
                    hash(clientHandle));
        }

        /** Whether the handle a client shows has this session's secret half. */
        boolean matches(TSessionHandle shown) {
            return sameHash(hash(shown), handleSecretHash);
        }

        Entry heldBy(String newServer) {
            return new Entry(version, user, login, engineHost, enginePort, engineAuth, engineSpace, engineGuid,
                    engineSecret, protocol, newServer, handleSecretHash);
        }

        static String hash(TSessionHandle handle) {
            if (handle == null || handle.getSessionId() == null || handle.getSessionId().getSecret() == null) {
                return null;
            }
            try {
                return Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(handle.getSessionId().getSecret()));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java platform", e);
            }
        }
    }

    /** Compares two secret hashes in constant time; false when either is missing. */
    static boolean sameHash(String a, String b) {
        return a != null && b != null && java.security.MessageDigest.isEqual(
                a.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                b.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private final Discovery discovery;

    SessionRecords(Discovery discovery) {
        this.discovery = discovery;
    }

    static String path(String namespace, UUID id) {
        return ZkPaths.sessionsPath(namespace) + "/" + id;
    }

    void write(UUID id, Entry entry) throws DiscoveryException {
        try {
            discovery.write(path(discovery.namespace(), id), JSON.writeValueAsBytes(entry));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the record of session " + id, e);
        }
    }

    Optional<Entry> read(UUID id) throws DiscoveryException {
        Optional<byte[]> data = discovery.read(path(discovery.namespace(), id));
        if (data.isEmpty()) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(data.get(), Entry.class));
        } catch (IOException e) {
            throw new DiscoveryException("The record of session " + id + " is not readable: " + e.getMessage(), e);
        }
    }

    void delete(UUID id) throws DiscoveryException {
        discovery.delete(path(discovery.namespace(), id));
    }
}
