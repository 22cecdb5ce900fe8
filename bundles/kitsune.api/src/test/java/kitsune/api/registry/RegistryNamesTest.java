package kitsune.api.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kitsune.api.engine.ShareLevel;

class RegistryNamesTest {
    @Test
    void serverNodeNameMatchesKyuubi() {
        assertEquals("serverUri=kitsune-1:10009;version=0.1.0;sequence=",
                ServiceNode.namePrefix("kitsune-1", 10009, "0.1.0", Map.of(), null));
    }

    @Test
    void engineNodeNameCarriesAttributesThenRefId() {
        assertEquals("serverUri=127.0.0.1:4711;version=1-spark-4.0;kyuubi.engine.id=local-1;refId=r1;sequence=",
                ServiceNode.namePrefix("127.0.0.1", 4711, "1-spark-4.0", Map.of("kyuubi.engine.id", "local-1"), "r1"));
    }

    @Test
    void parseReadsHostPortFromPlainOrHiveData() {
        ServiceNode plain = ServiceNode.parse("/kyuubi", "serverUri=a:1;version=v;sequence=0000000003", "h:10009");
        assertEquals("h", plain.host());
        assertEquals(10009, plain.port());
        assertEquals("v", plain.version());
        assertEquals("0000000003", plain.sequence());
        ServiceNode hive = ServiceNode.parse("/kyuubi", "serverUri=a:1;version=v;sequence=0000000004",
                "hive.server2.thrift.bind.host=k2;hive.server2.transport.mode=binary;hive.server2.thrift.port=10010");
        assertEquals("k2:10010", hive.hostPort());
        assertNull(ServiceNode.parse("/kyuubi", "lock-0001", ""));
    }

    @Test
    void bySequenceOrdersOldestFirst() {
        ServiceNode a = ServiceNode.parse("/s", "serverUri=a:1;version=v;refId=x;sequence=0000000010", "a:1");
        ServiceNode b = ServiceNode.parse("/s", "serverUri=b:2;version=v;refId=y;sequence=0000000002", "b:2");
        assertEquals(List.of(b, a), ServiceNode.bySequence(List.of(a, b)));
        assertEquals("y", ServiceNode.bySequence(List.of(a, b)).get(0).refId());
    }

    @Test
    void engineSpacesFollowKyuubisLayout() {
        EngineSpace user = new EngineSpace("/kyuubi/", "1-spark-4.0", ShareLevel.USER, "spark_sql", "alice", "default");
        assertEquals("/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default", user.path());
        assertEquals("/kyuubi_1-spark-4.0_USER_SPARK_SQL_lock/alice/default", user.lockPath());
        assertEquals("kyuubi_USER_SPARK_SQL_alice_default_r1", user.defaultAppName("r1"));
        EngineSpace conn = new EngineSpace("kyuubi", "1-spark-4.0", ShareLevel.CONNECTION, "SPARK_SQL", "bob", "r2");
        assertEquals("kyuubi_CONNECTION_SPARK_SQL_bob_r2", conn.defaultAppName("r2"));
        assertThrows(IllegalArgumentException.class,
                () -> new EngineSpace("kyuubi", "1", ShareLevel.USER, "SPARK_SQL", "a/b", "default"));
    }
}
