package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;

import kitsune.testkit.Postgres;

/**
 * {@link BatchesAcrossServersBase} on a real PostgreSQL server (started by the test as processes, see
 * {@link Postgres}): the servers are set up as docs/operations.md tells an operator, database type POSTGRESQL, the
 * PostgreSQL JDBC driver's jar copied into a lib/jdbc directory and named by kitsune.metadata.store.jdbc.driver.jars,
 * a login role with a password.
 */
class BatchesOnPostgresAcrossServersTest extends BatchesAcrossServersBase {
    private Postgres pg;

    @Override
    Map<String, String> startStore(Path root) throws Exception {
        pg = Postgres.start();
        Path driver = Postgres.driverJar();
        Path lib = Files.createDirectories(root.resolve("lib/jdbc"));
        Path jar = Files.copy(driver, lib.resolve(driver.getFileName()));
        assertTrue(Files.isRegularFile(jar), jar.toString());
        return Map.of(
                "kyuubi.metadata.store.jdbc.database.type", "POSTGRESQL",
                "kyuubi.metadata.store.jdbc.url", pg.url(),
                "kyuubi.metadata.store.jdbc.user", Postgres.USER,
                "kyuubi.metadata.store.jdbc.password", Postgres.PASSWORD,
                "kitsune.metadata.store.jdbc.driver.jars", jar.toString());
    }

    @Override
    Connection connectStore() throws Exception {
        return pg.connect();
    }

    @Override
    void stopStore() throws Exception {
        if (pg != null) pg.close();
    }
}
