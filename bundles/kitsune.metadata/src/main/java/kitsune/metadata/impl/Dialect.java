package kitsune.metadata.impl;

import java.util.Locale;

/** What differs between the databases the metadata store runs on: the usual driver and the long text type. */
enum Dialect {
    DERBY("org.apache.derby.jdbc.EmbeddedDriver", "VARCHAR(32672)"),
    POSTGRESQL("org.postgresql.Driver", "TEXT"),
    MYSQL("com.mysql.cj.jdbc.Driver", "MEDIUMTEXT");

    final String driver;
    final String longText;

    Dialect(String driver, String longText) {
        this.driver = driver;
        this.longText = longText;
    }

    static Dialect of(String type) {
        return valueOf(type.trim().toUpperCase(Locale.ROOT));
    }
}
