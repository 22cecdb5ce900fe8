package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import kitsune.testkit.FreePorts;
import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;

/** The Thrift HTTP frontend (kyuubi.frontend.protocols=THRIFT_HTTP) in the real runtime, with a real engine. */
class HttpTransportTest {

    @Test
    void theHiveDriverInHttpModeRunsQueriesBesideTheBinaryPort() throws Exception {
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-http-"))
                .set("kyuubi.frontend.protocols", "THRIFT_BINARY,THRIFT_HTTP")
                .set("kyuubi.frontend.thrift.http.bind.host", "127.0.0.1")
                .set("kyuubi.frontend.thrift.http.bind.port", String.valueOf(FreePorts.next())).start()) {
            String url = server.awaitLog(Pattern.compile("JDBC connection over HTTP at: (jdbc:hive2://\\S+)"),
                    Duration.ofSeconds(30)).group(1);
            try (Connection c = Jdbc.connect(url, "hana")) {
                assertEquals(List.of(List.of(4950L)), Jdbc.query(c, "SELECT sum(id) FROM range(100)"));
                assertEquals(1000, Jdbc.query(c, "SELECT id FROM range(1000)").size(), "rows fetched over HTTP");
            }
            try (Connection binary = Jdbc.connect(server.zkUrl(), "hana")) {
                assertEquals(1, ((Number) Jdbc.single(binary, "SELECT 1")).intValue(), "the binary port serves too");
            }
        }
    }
}
