package kitsune.metadata.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.derby.jdbc.EmbeddedDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.batch.Batch;
import kitsune.api.batch.BatchFilter;
import kitsune.api.batch.BatchState;
import kitsune.api.batch.BatchStoreException;

/** The store against a real embedded Derby database in a temporary directory. */
class JdbcBatchStoreTest {
    @TempDir
    Path dir;
    private String url;
    private JdbcBatchStore store;

    @org.junit.jupiter.api.BeforeAll
    static void derbyLog() {
        System.setProperty("derby.stream.error.file", Path.of("target", "derby.log").toAbsolutePath().toString());
    }

    @BeforeEach
    void open() throws Exception {
        url = MetadataStoreComponent.derbyUrl(dir.resolve("metadata"));
        EmbeddedDriver driver = new EmbeddedDriver();
        store = new JdbcBatchStore(() -> driver.connect(url, new Properties()), "test");
        assertEquals(0, store.migrate(Dialect.DERBY));
    }

    @AfterEach
    void close() {
        MetadataStoreComponent.shutDownDerby(url);
    }

    private static Batch batch(String id, String user, BatchState state, long created, long ended) {
        return new Batch(id, user, "SPARK", "/jars/app.jar", "org.example.Pi", "pi " + id,
                Map.of("spark.executor.memory", "1g", "k'; DROP TABLE kitsune_batches; --", "v"),
                List.of("10", "it's"), state, null, null, null, null, "host-a:10099", created, ended);
    }

    @Test
    void theMigrationCreatesTheSchemaOnceAndASecondRunFindsItApplied() throws Exception {
        assertEquals(1, store.migrate(Dialect.DERBY));
        try (Connection c = new EmbeddedDriver().connect(url, new Properties());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"kitsune_schema_history\" "
                        + "WHERE \"version\" = '1' AND \"success\"")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }

    @Test
    void aBatchIsReadBackAsWrittenWithItsConfAndArgsAndHostileTextKeptAsData() throws Exception {
        Batch b = batch("b1", "alice", BatchState.PENDING, 1000, 0);
        store.insert(b);
        assertEquals(b, store.get("b1").orElseThrow());
        assertTrue(store.get("nope").isEmpty());
        assertTrue(store.get("b1' OR '1'='1").isEmpty());
        assertThrows(BatchStoreException.class, () -> store.insert(b), "a second batch with the same id");
    }

    @Test
    void anUpdateChangesStateAndApplicationFieldsOnlyForItsOwnerAndNeverAfterTheEnd() throws Exception {
        store.insert(batch("b1", "alice", BatchState.PENDING, 1000, 0));
        Batch running = store.get("b1").orElseThrow().with(BatchState.RUNNING, "local-1", null, "RUNNING", null, 0);
        assertTrue(store.update(running));
        assertFalse(store.update(running.ownedBy("host-b:10099")), "another server may not write it");
        Batch done = running.with(BatchState.FINISHED, "local-1", null, "exit code 0", null, 5000);
        assertTrue(store.update(done));
        assertEquals(done, store.get("b1").orElseThrow());
        assertFalse(store.update(running), "a finished batch stays finished");
        assertEquals(BatchState.FINISHED, store.get("b1").orElseThrow().state());
    }

    @Test
    void onlyOneServerClaimsABatchOfAServerThatIsGoneAndNoneOfAServerThatStillSaysItIsAlive() throws Exception {
        store.insert(batch("b1", "alice", BatchState.RUNNING, 1000, 0));
        assertEquals(1, store.heartbeat("host-a:10099", 10_000));
        assertFalse(store.claim("b1", "host-a:10099", "host-b:10099", 10_000), "seen at 10000: not stale");
        assertTrue(store.claim("b1", "host-a:10099", "host-b:10099", 10_001));
        assertFalse(store.claim("b1", "host-a:10099", "host-c:10099", Long.MAX_VALUE));
        assertEquals("host-b:10099", store.get("b1").orElseThrow().kyuubiInstance());
        assertEquals(List.of("b1"), store.unfinished().stream().map(Batch::id).toList());
    }

    @Test
    void listingsFilterByTypeUserStateAndTimesAndPageNewestFirst() throws Exception {
        store.insert(batch("a1", "alice", BatchState.FINISHED, 1000, 2000));
        store.insert(batch("a2", "alice", BatchState.RUNNING, 3000, 0));
        store.insert(batch("a3", "alice", BatchState.ERROR, 5000, 6000));
        store.insert(batch("b1", "bob", BatchState.FINISHED, 4000, 4500));
        assertEquals(List.of("a3", "b1", "a2", "a1"), ids(new BatchFilter(null, null, null, 0, 0, 0, 10)));
        assertEquals(List.of("a3", "a2", "a1"), ids(new BatchFilter("SPARK", "alice", null, 0, 0, 0, 10)));
        assertEquals(List.of(), ids(new BatchFilter("PYSPARK", null, null, 0, 0, 0, 10)));
        assertEquals(List.of("b1", "a1"), ids(new BatchFilter(null, null, BatchState.FINISHED, 0, 0, 0, 10)));
        assertEquals(List.of("a3", "b1", "a2"), ids(new BatchFilter(null, null, null, 3000, 0, 0, 10)));
        assertEquals(List.of("b1", "a1"), ids(new BatchFilter(null, null, null, 0, 5000, 0, 10)));
        assertEquals(List.of("b1", "a2"), ids(new BatchFilter(null, null, null, 0, 0, 1, 2)));
        assertEquals(List.of(), ids(new BatchFilter(null, "alice' OR '1'='1", null, 0, 0, 0, 10)));
    }

    @Test
    void listingsFilterByExactNameInTheStoreAndCanListOldestFirst() throws Exception {
        store.insert(batch("a1", "alice", BatchState.FINISHED, 1000, 2000));
        store.insert(batch("a2", "alice", BatchState.RUNNING, 3000, 0));
        store.insert(batch("b1", "bob", BatchState.FINISHED, 4000, 4500));
        // names are "pi <id>"
        assertEquals(List.of("a2"), ids(new BatchFilter(null, null, null, 0, 0, 0, 10, "pi a2", false)));
        assertEquals(List.of(), ids(new BatchFilter(null, "bob", null, 0, 0, 0, 10, "pi a2", false)));
        assertEquals(List.of(), ids(new BatchFilter(null, null, null, 0, 0, 0, 10, "pi %", false)),
                "a name is matched exactly, not as a pattern");
        assertEquals(List.of(), ids(new BatchFilter(null, null, null, 0, 0, 0, 10, "x' OR '1'='1", false)));
        assertEquals(List.of("a1", "a2", "b1"), ids(new BatchFilter(null, null, null, 0, 0, 0, 10, null, true)));
        assertEquals(List.of("a2", "b1"), ids(new BatchFilter(null, null, null, 0, 0, 1, 2, null, true)));
    }

    @Test
    void theCleanerRemovesOnlyBatchesThatEndedBeforeTheirMaxAge() throws Exception {
        store.insert(batch("old", "alice", BatchState.FINISHED, 1000, 2000));
        store.insert(batch("recent", "alice", BatchState.ERROR, 1000, 9000));
        store.insert(batch("running", "alice", BatchState.RUNNING, 500, 0));
        assertEquals(1, store.removeEndedBefore(5000));
        assertTrue(store.get("old").isEmpty());
        assertTrue(store.get("recent").isPresent());
        assertTrue(store.get("running").isPresent());
    }

    @Test
    void rowsSurviveClosingAndReopeningTheDatabase() throws Exception {
        store.insert(batch("b1", "alice", BatchState.RUNNING, 1000, 0));
        MetadataStoreComponent.shutDownDerby(url);
        EmbeddedDriver driver = new EmbeddedDriver();
        JdbcBatchStore reopened = new JdbcBatchStore(() -> driver.connect(url, new Properties()), "test");
        assertEquals(1, reopened.migrate(Dialect.DERBY));
        assertEquals("alice", reopened.get("b1").orElseThrow().user());
    }

    private List<String> ids(BatchFilter f) throws BatchStoreException {
        return store.list(f).stream().map(Batch::id).toList();
    }
}
