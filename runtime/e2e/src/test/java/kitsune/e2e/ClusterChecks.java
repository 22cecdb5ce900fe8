package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneCtl;
import kitsune.testkit.KitsuneServer;

/** What the cluster tests ask of every engine, and kitsune-ctl against a test's server. */
final class ClusterChecks {
    private ClusterChecks() {
    }

    /** A query whose tasks run on the executors, with its known answer. */
    static void assertSumOfRange(Connection c) throws SQLException {
        List<Object> row = Jdbc.query(c, "SELECT count(*), sum(id) FROM range(10000000)").get(0);
        assertEquals(10000000L, row.get(0));
        assertEquals(49999995000000L, row.get(1));
    }

    static KitsuneCtl.Run ctl(KitsuneServer server, String... args) throws Exception {
        return KitsuneCtl.run(server.confDir, server.dir, args);
    }
}
