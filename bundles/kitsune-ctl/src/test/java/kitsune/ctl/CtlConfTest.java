package kitsune.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CtlConfTest {
    @TempDir
    Path dir;

    private Path conf(String text) throws Exception {
        Files.writeString(dir.resolve("kyuubi-defaults.conf"), text);
        return dir;
    }

    @Test
    void defaultsWithoutAFile() throws Exception {
        CtlConf c = CtlConf.load(dir, new Properties(), List.of());
        assertEquals("127.0.0.1:2181", c.zkQuorum());
        assertEquals("kyuubi", c.namespace());
        assertEquals("SPARK_SQL", c.engineType());
        assertEquals("USER", c.shareLevel());
        assertEquals("default", c.subdomain());
        assertEquals("1-spark-4.0", c.engineSpaceVersion());
        assertEquals(Duration.ofSeconds(10), c.connectWait());
    }

    @Test
    void embeddedZooKeeperOfPseudoMode() throws Exception {
        CtlConf c = CtlConf.load(conf("kyuubi.zookeeper.embedded.client.port = 31234\n"), new Properties(), List.of());
        assertEquals("127.0.0.1:31234", c.zkQuorum());
        c = CtlConf.load(conf("kyuubi.zookeeper.embedded.client.port=2182\n"
                + "kyuubi.zookeeper.embedded.client.port.address=10.1.2.3\n"), new Properties(), List.of());
        assertEquals("10.1.2.3:2182", c.zkQuorum());
    }

    @Test
    void fileOverSystemPropertiesAndConfOverFile() throws Exception {
        Properties sys = new Properties();
        sys.setProperty("kyuubi.ha.namespace", "fromsys");
        sys.setProperty("kyuubi.engine.type", "TRINO");
        Path d = conf("kyuubi.ha.addresses=zk1:2181,zk2:2181\nkyuubi.ha.namespace=fromfile\n"
                + "kitsune.engine.spark.home=spark-3.5\nkyuubi.engine.share.level.subdomain=adhoc\n"
                + "kyuubi.ha.zookeeper.connection.timeout=PT3S\n");
        CtlConf c = CtlConf.load(d, sys, List.of());
        assertEquals("zk1:2181,zk2:2181", c.zkQuorum());
        assertEquals("fromfile", c.namespace());
        assertEquals("TRINO", c.engineType());
        assertEquals("1-spark-3.5", c.engineSpaceVersion());
        assertEquals("adhoc", c.subdomain());
        assertEquals(Duration.ofSeconds(3), c.connectWait());
        c = CtlConf.load(d, sys, List.of("kyuubi.ha.namespace=fromconf", "kyuubi.ha.addresses="));
        assertEquals("fromconf", c.namespace());
        assertEquals("127.0.0.1:2181", c.zkQuorum(), "--conf can empty the addresses");
    }

    @Test
    void badConfIsReported() throws Exception {
        CtlException e = assertThrows(CtlException.class,
                () -> CtlConf.load(dir, new Properties(), List.of("novalue")));
        assertEquals(CtlException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("novalue"), e.getMessage());
        CtlConf c = CtlConf.load(conf("kyuubi.zookeeper.embedded.client.port=abc\n"), new Properties(), List.of());
        e = assertThrows(CtlException.class, c::zkQuorum);
        assertTrue(e.getMessage().contains("kyuubi.zookeeper.embedded.client.port"), e.getMessage());
    }

    @Test
    void theBatchLogIntervalIsKyuubisThreeSecondsUnlessTheFileOrConfSaysOtherwise() throws Exception {
        assertEquals(Duration.ofSeconds(3), CtlConf.load(dir, new Properties(), List.of()).batchLogInterval());
        Path file = conf("kyuubi.ctl.batch.log.query.interval=PT1S\n");
        assertEquals(Duration.ofSeconds(1), CtlConf.load(file, new Properties(), List.of()).batchLogInterval());
        assertEquals(Duration.ofMillis(200), CtlConf.load(file, new Properties(),
                List.of("kyuubi.ctl.batch.log.query.interval=PT0.2S")).batchLogInterval());
        assertEquals(Duration.ofMillis(10), CtlConf.load(dir, new Properties(),
                List.of("kyuubi.ctl.batch.log.query.interval=0")).batchLogInterval(), "never a busy loop");
        CtlException bad = assertThrows(CtlException.class, () -> CtlConf.load(dir, new Properties(),
                List.of("kyuubi.ctl.batch.log.query.interval=soon")).batchLogInterval());
        assertTrue(bad.getMessage().contains("kyuubi.ctl.batch.log.query.interval"), bad.getMessage());
    }
}
