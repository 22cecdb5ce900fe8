package kitsune.metadata.impl.flyway;

import java.sql.Connection;
import java.sql.Types;

import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.internal.database.base.BaseDatabaseType;
import org.flywaydb.core.internal.database.base.Database;
import org.flywaydb.core.internal.jdbc.JdbcConnectionFactory;
import org.flywaydb.core.internal.jdbc.StatementInterceptor;
import org.flywaydb.core.internal.parser.Parser;
import org.flywaydb.core.internal.parser.ParsingContext;

/**
 * Apache Derby for Flyway, which at 13.x carries no Derby support in its core and publishes no Derby module. Only what
 * Kitsune's metadata store needs: the schema history table, its lock, Java migrations. Found by Flyway through this
 * bundle's META-INF/services/org.flywaydb.core.extensibility.Plugin.
 */
public final class DerbyFlywayType extends BaseDatabaseType {
    @Override
    public String getName() {
        return "Derby";
    }

    @Override
    public int getNullType() {
        return Types.VARCHAR;
    }

    @Override
    public boolean handlesJDBCUrl(String url) {
        return url.startsWith("jdbc:derby:");
    }

    @Override
    public String getDriverClass(String url, ClassLoader classLoader) {
        return url.startsWith("jdbc:derby://") ? "org.apache.derby.client.ClientAutoloadedDriver"
                : "org.apache.derby.jdbc.EmbeddedDriver";
    }

    @Override
    public boolean handlesDatabaseProductNameAndVersion(String productName, String productVersion,
            Connection connection) {
        return productName.startsWith("Apache Derby");
    }

    @Override
    public Database createDatabase(Configuration configuration, JdbcConnectionFactory factory,
            StatementInterceptor interceptor) {
        return new DerbyFlywayDatabase(configuration, factory, interceptor);
    }

    @Override
    public Parser createParser(Configuration configuration, ResourceProvider resourceProvider,
            ParsingContext parsingContext) {
        return new Parser(configuration, parsingContext, 2) {
        };
    }
}
