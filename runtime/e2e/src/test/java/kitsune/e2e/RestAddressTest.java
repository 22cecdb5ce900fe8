package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import kitsune.testkit.KitsuneServer;
import kitsune.testkit.Zk;
import kitsune.testkit.ZooKeeperEnsemble;

/**
 * A server's REST address record under /<namespace>_rest (where the other servers forward requests for its batches)
 * is removed when it stops, before its REST API stops answering: stopped with SIGTERM (bin/kitsune stop), and drained
 * (its server node deleted) until it stops by itself. The ZooKeeper ensemble is external, so it outlives the servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestAddressTest {
    private static final Pattern REST = Pattern.compile("REST API at (http://\\S+/api/v1)");
    private ZooKeeperEnsemble zk;
    private ZooKeeper client;
    private Path root;

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("kitsune-e2e-rest-address-");
        zk = new ZooKeeperEnsemble(root.resolve("zk"), 1, 500, 2000, 60000).start();
        client = Zk.connect(zk.connectString());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (client != null) client.close();
        } finally {
            if (zk != null) zk.close();
        }
    }

    private KitsuneServer server(String name) throws Exception {
        KitsuneServer s = new KitsuneServer(root.resolve(name))
                .set("kyuubi.ha.addresses", zk.connectString())
                .set("kyuubi.ha.zookeeper.session.timeout", "6000")
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,REST")
                .set("kyuubi.frontend.rest.bind.host", "127.0.0.1")
                .set("kyuubi.authentication", "NONE")
                .set("kyuubi.batch.application.check.interval", "PT0.2S");
        s.start();
        s.awaitLog(REST, Duration.ofSeconds(60));
        return s;
    }

    /** The server's record under /kyuubi_rest, once published, and its REST URL. */
    private String awaitRecord(KitsuneServer s) throws Exception {
        String path = "/kyuubi_rest/127.0.0.1:" + s.port();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> client.exists(path, false) != null
                || client.getChildren("/kyuubi_rest", false).stream().anyMatch(c -> c.endsWith(":" + s.port())));
        return client.getChildren("/kyuubi_rest", false).stream().filter(c -> c.endsWith(":" + s.port()))
                .findFirst().map(c -> "/kyuubi_rest/" + c).orElseThrow();
    }

    @Test
    void aServerStoppedWithSigtermRemovesItsRestAddressRecord() throws Exception {
        KitsuneServer s = server("sigterm");
        String record;
        try {
            record = awaitRecord(s);
            String url = new String(client.getData(record, false, null), StandardCharsets.UTF_8);
            assertTrue(url.endsWith("/api/v1"), url);
        } finally {
            s.close();
        }
        assertNull(client.exists(record, false), "the stopped server's REST address is still published");
        assertEquals(1, s.countLog("Removed this server's REST API"), s.tail());
    }

    @Test
    void aDrainedServerRemovesItsRestAddressRecordWhenItStops() throws Exception {
        KitsuneServer s = server("drain");
        try {
            String record = awaitRecord(s);
            List<String> servers = client.getChildren("/kyuubi", false);
            String node = servers.stream().filter(c -> c.contains(":" + s.port() + ";")).findFirst().orElseThrow();
            client.delete("/kyuubi/" + node, -1);
            assertTrue(s.awaitExit(Duration.ofSeconds(90)), "the drained server did not stop: " + s.tail());
            assertNull(client.exists(record, false), "the drained server's REST address is still published");
        } finally {
            s.close();
        }
    }
}
