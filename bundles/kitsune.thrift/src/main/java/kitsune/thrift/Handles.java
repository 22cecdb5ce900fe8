package kitsune.thrift;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.UUID;

import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TSessionHandle;

/** Session and operation handles: 16-byte guid and secret, as HiveServer2 and Kyuubi make them. */
public final class Handles {
    private Handles() {
    }

    public static THandleIdentifier newIdentifier(UUID guid) {
        return new THandleIdentifier(ByteBuffer.wrap(bytes(guid)), ByteBuffer.wrap(bytes(UUID.randomUUID())));
    }

    public static TSessionHandle newSessionHandle(UUID guid) {
        return new TSessionHandle(newIdentifier(guid));
    }

    public static TOperationHandle newOperationHandle(TOperationType type, boolean hasResultSet) {
        return new TOperationHandle(newIdentifier(UUID.randomUUID()),
                type == null ? TOperationType.UNKNOWN : type, hasResultSet);
    }

    /** A map key for a handle: its guid in hex (the secret is not part of the identity, as in Hive). */
    public static String key(THandleIdentifier id) {
        if (id == null || id.getGuid() == null) return "";
        return HexFormat.of().formatHex(id.getGuid());
    }

    public static String key(TSessionHandle handle) {
        return handle == null ? "" : key(handle.getSessionId());
    }

    public static String key(TOperationHandle handle) {
        return handle == null ? "" : key(handle.getOperationId());
    }

    /** The guid as a UUID when it has 16 bytes (always for handles made here), else null. */
    public static UUID uuid(THandleIdentifier id) {
        if (id == null || id.getGuid() == null || id.getGuid().length != 16) return null;
        ByteBuffer b = ByteBuffer.wrap(id.getGuid());
        return new UUID(b.getLong(), b.getLong());
    }

    private static byte[] bytes(UUID u) {
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits())
                .array();
    }
}
