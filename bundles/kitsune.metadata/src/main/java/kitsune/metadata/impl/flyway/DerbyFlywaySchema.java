package kitsune.metadata.impl.flyway;

import java.sql.SQLException;
import java.util.List;

import org.flywaydb.core.internal.database.base.Schema;
import org.flywaydb.core.internal.database.base.Table;
import org.flywaydb.core.internal.jdbc.JdbcTemplate;

/** A Derby schema for Flyway. Flyway's clean is not offered: the metadata store is never cleaned by Flyway. */
final class DerbyFlywaySchema extends Schema<DerbyFlywayDatabase, DerbyFlywayTable> {
    DerbyFlywaySchema(JdbcTemplate jdbcTemplate, DerbyFlywayDatabase database, String name) {
        super(jdbcTemplate, database, name);
    }

    @Override
    protected boolean doExists() throws SQLException {
        return jdbcTemplate.queryForInt("SELECT COUNT(*) FROM SYS.SYSSCHEMAS WHERE SCHEMANAME = ?", name) > 0;
    }

    @Override
    protected boolean doEmpty() throws SQLException {
        return doAllTables().length == 0;
    }

    @Override
    protected void doCreate() throws SQLException {
        jdbcTemplate.execute("CREATE SCHEMA " + database.quote(name));
    }

    @Override
    protected void doDrop() throws SQLException {
        throw new UnsupportedOperationException("Kitsune's metadata store does not drop schemas");
    }

    @Override
    protected void doClean() throws SQLException {
        throw new UnsupportedOperationException("Kitsune's metadata store is not cleaned by Flyway");
    }

    @Override
    protected DerbyFlywayTable[] doAllTables() throws SQLException {
        List<String> names = jdbcTemplate.queryForStringList("SELECT t.TABLENAME FROM SYS.SYSTABLES t "
                + "JOIN SYS.SYSSCHEMAS s ON t.SCHEMAID = s.SCHEMAID WHERE t.TABLETYPE = 'T' AND s.SCHEMANAME = ?", name);
        return names.stream().map(this::table).toArray(DerbyFlywayTable[]::new);
    }

    @Override
    public Table getTable(String tableName) {
        return table(tableName);
    }

    private DerbyFlywayTable table(String tableName) {
        return new DerbyFlywayTable(jdbcTemplate, database, this, tableName);
    }
}
