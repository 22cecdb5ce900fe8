package kitsune.thrift;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import org.apache.hive.service.rpc.thrift.TDownloadDataResp;
import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoValue;
import org.apache.hive.service.rpc.thrift.TGetQueryIdResp;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TStatus;
import org.apache.hive.service.rpc.thrift.TUploadDataResp;

/**
 * Builds a TCLIService response of any type that carries only a status. Thrift refuses to write a response whose
 * required fields are unset (the client would see a broken connection instead of the message), so the few
 * responses with further required fields get harmless values.
 */
public final class Responses {
    private static final ClassValue<MethodHandle> STATUS_CTOR = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                return MethodHandles.publicLookup().findConstructor(type,
                        MethodType.methodType(void.class)).asType(MethodType.methodType(Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(type.getName() + " is not a Thrift response", e);
            }
        }
    };

    private Responses() {
    }

    /** A response of the given type with this status (and placeholders for other required fields). */
    public static <R> R withStatus(Class<R> type, TStatus status) {
        Object resp;
        try {
            resp = STATUS_CTOR.get(type).invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("Cannot create " + type.getName(), t);
        }
        if (resp instanceof TOpenSessionResp r) {
            r.setStatus(status);
            r.setServerProtocolVersion(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        } else if (resp instanceof TGetInfoResp r) {
            r.setStatus(status);
            r.setInfoValue(TGetInfoValue.lenValue(0));
        } else if (resp instanceof TGetQueryIdResp r) {
            // GetQueryId has no status: an empty id is the only way to say "none".
            r.setQueryId("");
        } else if (resp instanceof TUploadDataResp r) {
            r.setStatus(status);
            r.setOperationHandle(Handles.newOperationHandle(null, false));
        } else if (resp instanceof TDownloadDataResp r) {
            r.setStatus(status);
            r.setOperationHandle(Handles.newOperationHandle(null, false));
        } else {
            setStatus(resp, status);
        }
        return type.cast(resp);
    }

    private static void setStatus(Object resp, TStatus status) {
        try {
            resp.getClass().getMethod("setStatus", TStatus.class).invoke(resp, status);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(resp.getClass().getName() + " has no status", e);
        }
    }
}
