package kitsune.metadata.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema of the metadata store as an explicit, ordered list of versions, each applied once in a transaction of
 * its own and recorded in {@code kitsune_schema_version}. An explicit list rather than a migration library's scan of
 * the class path: a bundle's class loader offers no directory to scan, and the list is the whole history in one place.
 * Servers starting together race on the version row's primary key: the loser's transaction rolls back and it finds the
 * version applied.
 */
final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    static final String VERSION_TABLE = "kitsune_schema_version";

    /** One schema version: its statements, with {LONG_TEXT} for the dialect's long text type. */
    record Migration(int version, String description, List<String> statements) {
    }

    static final List<Migration> ALL = List.of(
            new Migration(1, "batches", List.of(
                    "CREATE TABLE kitsune_batches ("
                            + "id VARCHAR(64) NOT NULL PRIMARY KEY, "
                            + "user_name VARCHAR(255) NOT NULL, "
                            + "batch_type VARCHAR(32) NOT NULL, "
                            + "resource_path VARCHAR(4096) NOT NULL, "
                            + "class_name VARCHAR(1024), "
                            + "app_name VARCHAR(1024), "
                            + "conf {LONG_TEXT}, "
                            + "args {LONG_TEXT}, "
                            + "state VARCHAR(16) NOT NULL, "
                            + "app_id VARCHAR(255), "
                            + "app_url VARCHAR(1024), "
                            + "app_state VARCHAR(255), "
                            + "app_diagnostic {LONG_TEXT}, "
                            + "kyuubi_instance VARCHAR(255) NOT NULL, "
                            + "owner_seen BIGINT NOT NULL, "
                            + "create_time BIGINT NOT NULL, "
                            + "end_time BIGINT NOT NULL)",
                    "CREATE INDEX kitsune_batches_state ON kitsune_batches (state)",
                    "CREATE INDEX kitsune_batches_user ON kitsune_batches (user_name, create_time)",
                    "CREATE INDEX kitsune_batches_end ON kitsune_batches (end_time)")));

    private Migrations() {
    }

    /** Brings the schema to the newest version; returns the version it found. */
    static int migrate(Connection c, Dialect dialect, List<Migration> migrations) throws SQLException {
        ensureVersionTable(c);
        int found = current(c);
        for (Migration m : migrations) {
            if (m.version() <= current(c)) continue;
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement claim = c.prepareStatement("INSERT INTO " + VERSION_TABLE
                        + " (version, description, applied_at) VALUES (?, ?, ?)")) {
                    claim.setInt(1, m.version());
                    claim.setString(2, m.description());
                    claim.setLong(3, System.currentTimeMillis());
                    claim.executeUpdate();
                }
                try (Statement s = c.createStatement()) {
                    for (String sql : m.statements()) s.execute(sql.replace("{LONG_TEXT}", dialect.longText));
                }
                c.commit();
                LOG.info("Metadata store schema migrated to version {} ({})", m.version(), m.description());
            } catch (SQLException e) {
                c.rollback();
                if (m.version() <= current(c)) {
                    LOG.info("Metadata store schema version {} was applied by another server", m.version());
                } else {
                    throw e;
                }
            } finally {
                c.setAutoCommit(auto);
            }
        }
        return found;
    }

    static int current(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + VERSION_TABLE)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void ensureVersionTable(Connection c) throws SQLException {
        if (exists(c, VERSION_TABLE)) return;
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + VERSION_TABLE + " (version INT NOT NULL PRIMARY KEY, "
                    + "description VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL)");
        } catch (SQLException e) {
            if (!exists(c, VERSION_TABLE)) throw e; // else another server created it meanwhile
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        for (String name : List.of(table, table.toUpperCase(java.util.Locale.ROOT))) {
            try (ResultSet rs = c.getMetaData().getTables(null, null, name, new String[] {"TABLE"})) {
                if (rs.next()) return true;
            }
        }
        return false;
    }
}
