package kitsune.session.impl;

import org.apache.hive.service.rpc.thrift.TProtocolVersion;

/** Which TCLIService protocol a session speaks. */
final class Protocols {
    /**
     * The newest protocol served. Hive JDBC 4.0.1 refuses V11 ("Unsupported Hive2 protocol") although its IDL has
     * it, so V10 is the ceiling.
     */
    static final TProtocolVersion SERVER_MAX = TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10;

    private Protocols() {
    }

    /** Never above what the client asked for, never above {@link #SERVER_MAX}. */
    static TProtocolVersion negotiate(TProtocolVersion client) {
        return min(client == null ? SERVER_MAX : client, SERVER_MAX);
    }

    static TProtocolVersion min(TProtocolVersion a, TProtocolVersion b) {
        if (b == null) return a;
        return a.getValue() <= b.getValue() ? a : b;
    }
}
