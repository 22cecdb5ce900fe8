package kitsune.metadata.impl;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.ClassProvider;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * The schema of the metadata store, migrated by Flyway (embedded in this bundle) from the explicit list {@link #all}:
 * Java migrations given to Flyway as instances, since inside OSGi there is no class path to scan (Flyway is told so:
 * no resources, no classes to find). Flyway records what it applied in {@value #HISTORY_TABLE} and holds a lock while
 * it migrates (PostgreSQL: an advisory lock; MySQL: a named lock; Derby: an exclusive lock on the history table), so
 * servers starting together on one database apply each version once.
 *
 * <p>A store created before Flyway (table {@value #OLD_VERSION_TABLE} at version 1, with {@code kitsune_batches}) is
 * taken over without loss: with no history table but {@code kitsune_batches} present, Flyway baselines at version 1
 * and applies only what follows. The old version table is left in place.
 */
final class Migrations {
    static final String HISTORY_TABLE = "kitsune_schema_history";
    static final String OLD_VERSION_TABLE = "kitsune_schema_version";
    static final String BATCHES_TABLE = "kitsune_batches";
    /** The newest schema version. */
    static final int LATEST = 1;

    private Migrations() {
    }

    /** Every schema version, oldest first, its statements for the dialect. */
    static List<JavaMigration> all(Dialect dialect) {
        return List.of(new V1__batches(dialect));
    }

    /** The first schema: the batches table and its indexes. */
    static final class V1__batches extends BaseJavaMigration {
        private final Dialect dialect;

        V1__batches(Dialect dialect) {
            this.dialect = dialect;
        }

        @Override
        public void migrate(Context context) throws Exception {
            try (Statement s = context.getConnection().createStatement()) {
                for (String sql : statements(dialect)) s.execute(sql);
            }
        }

        static List<String> statements(Dialect dialect) {
            return List.of(
                    "CREATE TABLE " + BATCHES_TABLE + " ("
                            + "id VARCHAR(64) NOT NULL PRIMARY KEY, "
                            + "user_name VARCHAR(255) NOT NULL, "
                            + "batch_type VARCHAR(32) NOT NULL, "
                            + "resource_path VARCHAR(4096) NOT NULL, "
                            + "class_name VARCHAR(1024), "
                            + "app_name VARCHAR(1024), "
                            + "conf " + dialect.longText + ", "
                            + "args " + dialect.longText + ", "
                            + "state VARCHAR(16) NOT NULL, "
                            + "app_id VARCHAR(255), "
                            + "app_url VARCHAR(1024), "
                            + "app_state VARCHAR(255), "
                            + "app_diagnostic " + dialect.longText + ", "
                            + "kyuubi_instance VARCHAR(255) NOT NULL, "
                            + "owner_seen BIGINT NOT NULL, "
                            + "create_time BIGINT NOT NULL, "
                            + "end_time BIGINT NOT NULL)",
                    "CREATE INDEX kitsune_batches_state ON " + BATCHES_TABLE + " (state)",
                    "CREATE INDEX kitsune_batches_user ON " + BATCHES_TABLE + " (user_name, create_time)",
                    "CREATE INDEX kitsune_batches_end ON " + BATCHES_TABLE + " (end_time)");
        }
    }

    /**
     * Brings the schema to the newest version; returns the version it found (0: none; 1 for a store created before
     * Flyway, which is baselined at 1).
     */
    static int migrate(JdbcBatchStore.Connections connections, Dialect dialect, List<JavaMigration> migrations)
            throws SQLException {
        boolean before;
        try (Connection c = connections.open()) {
            before = exists(c, BATCHES_TABLE) && !exists(c, HISTORY_TABLE);
        }
        ClassLoader loader = Migrations.class.getClassLoader();
        Flyway flyway = Flyway.configure(loader)
                // to the server's log; the automatic choice looks for logging libraries it cannot see from here
                .loggers("slf4j")
                .dataSource(new ConnectionsDataSource(connections))
                .table(HISTORY_TABLE)
                .resourceProvider(NO_RESOURCES)
                .javaMigrationClassProvider(NO_CLASSES)
                .javaMigrations(migrations.toArray(JavaMigration[]::new))
                // a schema that holds other tables but not the store is not the store: its migrations all run
                .baselineOnMigrate(true)
                .baselineVersion(before ? "1" : "0")
                .baselineDescription(before ? "schema created before Flyway (" + OLD_VERSION_TABLE + ")" : "empty")
                .cleanDisabled(true)
                .validateOnMigrate(true)
                .load();
        try {
            MigrateResult result = flyway.migrate();
            String found = result.initialSchemaVersion;
            if (found == null || found.isEmpty() || found.equals("0")) return before ? 1 : 0;
            return Integer.parseInt(found);
        } catch (FlywayException e) {
            throw new SQLException("Flyway could not migrate the schema: " + e.getMessage(), e);
        }
    }

    static boolean exists(Connection c, String table) throws SQLException {
        for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
            try (ResultSet rs = c.getMetaData().getTables(null, null, name, new String[] {"TABLE"})) {
                if (rs.next()) return true;
            }
        }
        return false;
    }

    private static final ResourceProvider NO_RESOURCES = new ResourceProvider() {
        @Override
        public LoadableResource getResource(String name) {
            return null;
        }

        @Override
        public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
            return List.of();
        }
    };

    private static final ClassProvider<JavaMigration> NO_CLASSES = List::of;

    /** The store's connections as the DataSource Flyway asks for. */
    private static final class ConnectionsDataSource implements DataSource {
        private final JdbcBatchStore.Connections connections;

        ConnectionsDataSource(JdbcBatchStore.Connections connections) {
            this.connections = connections;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return connections.open();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return connections.open();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
