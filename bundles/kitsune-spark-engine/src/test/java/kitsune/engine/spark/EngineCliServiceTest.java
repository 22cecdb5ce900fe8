package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.junit.jupiter.api.Test;

class EngineCliServiceTest {
    @Test
    void protocolIsTheLowerOfClientAndV10() {
        assertEquals(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
                EngineCliService.negotiate(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V11));
        assertEquals(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
                EngineCliService.negotiate(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10));
        assertEquals(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V8,
                EngineCliService.negotiate(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V8));
    }
}
