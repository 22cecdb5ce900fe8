package kitsune.session.impl;

import static org.apache.hive.service.rpc.thrift.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10;
import static org.apache.hive.service.rpc.thrift.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V11;
import static org.apache.hive.service.rpc.thrift.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProtocolsTest {
    @Test
    void neverAboveClientNorV10() {
        assertEquals(HIVE_CLI_SERVICE_PROTOCOL_V10, Protocols.negotiate(HIVE_CLI_SERVICE_PROTOCOL_V10));
        assertEquals(HIVE_CLI_SERVICE_PROTOCOL_V8, Protocols.negotiate(HIVE_CLI_SERVICE_PROTOCOL_V8));
        assertEquals(HIVE_CLI_SERVICE_PROTOCOL_V10, Protocols.negotiate(HIVE_CLI_SERVICE_PROTOCOL_V11));
        assertEquals(HIVE_CLI_SERVICE_PROTOCOL_V10, Protocols.negotiate(null));
    }
}
