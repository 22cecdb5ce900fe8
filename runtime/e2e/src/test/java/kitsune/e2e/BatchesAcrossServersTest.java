package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;

import org.apache.derby.drda.NetworkServerControl;

import kitsune.testkit.FreePorts;

/**
 * {@link BatchesAcrossServersBase} on Derby's network server, started by the test in its own JVM, with Derby's client
 * driver given to the servers through kitsune.metadata.store.jdbc.driver.jars.
 */
class BatchesAcrossServersTest extends BatchesAcrossServersBase {
    private NetworkServerControl derby;
    private String url;

    @Override
    Map<String, String> startStore(Path root) throws Exception {
        System.setProperty("derby.system.home", Files.createDirectories(root.resolve("derby")).toString());
        int port = FreePorts.next();
        derby = new NetworkServerControl(InetAddress.getLoopbackAddress(), port);
        derby.start(new PrintWriter(Files.newBufferedWriter(root.resolve("derby-server.log"))));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            derby.ping();
            return true;
        });
        String client = Path.of(NetworkServerControl.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().getParent().getParent().resolve("derbyclient/10.16.1.1/derbyclient-10.16.1.1.jar")
                .toString();
        assertTrue(Files.isRegularFile(Path.of(client)), client);
        url = "jdbc:derby://127.0.0.1:" + port + "/batches";
        return Map.of(
                "kyuubi.metadata.store.jdbc.url", url + ";create=true",
                "kyuubi.metadata.store.jdbc.driver", "org.apache.derby.client.ClientAutoloadedDriver",
                "kitsune.metadata.store.jdbc.driver.jars", client);
    }

    @Override
    Connection connectStore() throws Exception {
        return DriverManager.getConnection(url);
    }

    @Override
    void stopStore() throws Exception {
        if (derby != null) derby.shutdown();
    }
}
