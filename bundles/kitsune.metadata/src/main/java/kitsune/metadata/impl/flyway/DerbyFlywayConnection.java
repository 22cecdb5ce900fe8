package kitsune.metadata.impl.flyway;

import java.sql.SQLException;

import org.flywaydb.core.internal.database.base.Connection;
import org.flywaydb.core.internal.database.base.Schema;

/** A Flyway connection to Derby: the current schema is Derby's CURRENT SCHEMA. */
final class DerbyFlywayConnection extends Connection<DerbyFlywayDatabase> {
    DerbyFlywayConnection(DerbyFlywayDatabase database, java.sql.Connection connection) {
        super(database, connection);
    }

    @Override
    protected String getCurrentSchemaNameOrSearchPath() throws SQLException {
        return jdbcTemplate.queryForString("SELECT CURRENT SCHEMA FROM SYSIBM.SYSDUMMY1");
    }

    @Override
    protected void doChangeCurrentSchemaOrSearchPathTo(String schema) throws SQLException {
        jdbcTemplate.execute("SET SCHEMA " + database.quote(schema));
    }

    @Override
    public Schema getSchema(String name) {
        return new DerbyFlywaySchema(jdbcTemplate, database, name);
    }
}
