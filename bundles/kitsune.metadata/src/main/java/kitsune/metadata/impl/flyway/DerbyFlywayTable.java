package kitsune.metadata.impl.flyway;

import java.sql.SQLException;

import org.flywaydb.core.internal.database.base.Table;
import org.flywaydb.core.internal.jdbc.JdbcTemplate;

/**
 * A Derby table for Flyway. Its lock is Derby's exclusive table lock, held to the end of the transaction: this is
 * what serializes servers that migrate one Derby network server together.
 */
final class DerbyFlywayTable extends Table<DerbyFlywayDatabase, DerbyFlywaySchema> {
    DerbyFlywayTable(JdbcTemplate jdbcTemplate, DerbyFlywayDatabase database, DerbyFlywaySchema schema, String name) {
        super(jdbcTemplate, database, schema, name);
    }

    @Override
    protected boolean doExists() throws SQLException {
        return jdbcTemplate.queryForInt("SELECT COUNT(*) FROM SYS.SYSTABLES t JOIN SYS.SYSSCHEMAS s "
                + "ON t.SCHEMAID = s.SCHEMAID WHERE s.SCHEMANAME = ? AND t.TABLENAME = ?", schema.getName(), name) > 0;
    }

    @Override
    protected void doLock() throws SQLException {
        jdbcTemplate.execute("LOCK TABLE " + this + " IN EXCLUSIVE MODE");
    }

    @Override
    protected void doDrop() throws SQLException {
        jdbcTemplate.execute("DROP TABLE " + this);
    }
}
