package kitsune.metadata.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.derby.jdbc.EmbeddedDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.batch.Batch;
import kitsune.api.batch.BatchState;
import kitsune.internal.threads.NamedThreads;

/** The schema migrated by Flyway on a real embedded Derby database: fresh, taken over from the old code, raced. */
class MigrationsTest {
    @TempDir
    Path dir;
    private String url;
    private JdbcBatchStore.Connections connections;

    @BeforeAll
    static void derbyLog() {
        System.setProperty("derby.stream.error.file", Path.of("target", "derby.log").toAbsolutePath().toString());
    }

    @BeforeEach
    void open() {
        url = MetadataStoreComponent.derbyUrl(dir.resolve("metadata"));
        EmbeddedDriver driver = new EmbeddedDriver();
        connections = () -> driver.connect(url, new Properties());
    }

    @AfterEach
    void close() {
        MetadataStoreComponent.shutDownDerby(url);
    }

    @Test
    void aFreshDatabaseGetsTheNewestSchemaFromFlywayAndASecondRunAppliesNothing() throws Exception {
        assertEquals(0, Migrations.migrate(connections, Dialect.DERBY, Migrations.all(Dialect.DERBY)));
        assertEquals(List.of("1 JDBC batches true"), history());
        assertEquals(1, Migrations.migrate(connections, Dialect.DERBY, Migrations.all(Dialect.DERBY)));
        assertEquals(List.of("1 JDBC batches true"), history());
        assertEquals(0, count("SELECT COUNT(*) FROM kitsune_batches"));
    }

    @Test
    void aStoreCreatedByTheOldSchemaCodeIsBaselinedAtVersionOneAndKeepsItsRows() throws Exception {
        // what the server wrote before Flyway: its own version table at 1, the batches table, rows
        try (Connection c = connections.open(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kitsune_schema_version (version INT NOT NULL PRIMARY KEY, "
                    + "description VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL)");
            s.execute("INSERT INTO kitsune_schema_version VALUES (1, 'batches', 1000)");
            for (String sql : Migrations.V1__batches.statements(Dialect.DERBY)) s.execute(sql);
        }
        JdbcBatchStore old = new JdbcBatchStore(connections, "test");
        old.insert(new Batch("b1", "alice", "SPARK", "/jars/app.jar", "org.example.Pi", "pi", Map.of("k", "v"),
                List.of("10"), BatchState.RUNNING, "app-1", null, null, null, "host-a:10099", 1000, 0));

        assertEquals(1, Migrations.migrate(connections, Dialect.DERBY, Migrations.all(Dialect.DERBY)));

        List<String> history = history();
        assertEquals(1, history.size(), history.toString());
        assertTrue(history.get(0).startsWith("1 BASELINE "), history.toString());
        Batch kept = new JdbcBatchStore(connections, "test").get("b1").orElseThrow();
        assertEquals("alice", kept.user());
        assertEquals("app-1", kept.appId());
        assertEquals(Map.of("k", "v"), kept.conf());
        assertEquals(1, count("SELECT COUNT(*) FROM kitsune_schema_version"), "the old table is left as it was");
    }

    @Test
    void aSchemaHoldingOtherTablesButNotTheStoreGetsEveryMigration() throws Exception {
        try (Connection c = connections.open(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE someone_elses (id INT)");
        }
        Migrations.migrate(connections, Dialect.DERBY, Migrations.all(Dialect.DERBY));
        assertTrue(history().contains("1 JDBC batches true"), history().toString());
        assertEquals(0, count("SELECT COUNT(*) FROM kitsune_batches"));
    }

    @Test
    void serversMigratingTogetherApplyEachVersionOnce() throws Exception {
        int servers = 4;
        CyclicBarrier together = new CyclicBarrier(servers);
        ExecutorService pool = Executors.newFixedThreadPool(servers, NamedThreads.daemon("migrate-"));
        try {
            List<Future<Integer>> found = new ArrayList<>();
            for (int i = 0; i < servers; i++) {
                found.add(pool.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    return Migrations.migrate(connections, Dialect.DERBY, Migrations.all(Dialect.DERBY));
                }));
            }
            for (Future<Integer> f : found) f.get(2, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("1 JDBC batches true"), history());
    }

    /** Flyway's history, one "version type description success" per row (baseline markers included). */
    private List<String> history() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = connections.open(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT \"version\", \"type\", \"description\", \"success\" FROM "
                        + "\"kitsune_schema_history\" ORDER BY \"installed_rank\"")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getBoolean(4));
            }
        }
        return rows;
    }

    private int count(String sql) throws SQLException {
        try (Connection c = connections.open(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
