package kitsune.internal.testing;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The real Hive JDBC 4.0.1 driver, loaded from its standalone jar in a class loader of its own: the jar carries
 * TCLIService classes of its own that must not meet kitsune.thrift's. Tests set the system property
 * kitsune.test.hive.jdbc.jar to the jar (see the surefire configuration of the modules that use it).
 */
public final class HiveJdbc {
    private static final Driver DRIVER = load();

    private HiveJdbc() {
    }

    private static Driver load() {
        String jar = System.getProperty("kitsune.test.hive.jdbc.jar");
        if (jar == null) throw new IllegalStateException("system property kitsune.test.hive.jdbc.jar is not set");
        try {
            URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            return (Driver) loader.loadClass("org.apache.hive.jdbc.HiveDriver").getConstructor().newInstance();
        } catch (ReflectiveOperationException | java.net.MalformedURLException e) {
            throw new IllegalStateException("Cannot load the Hive JDBC driver from " + jar, e);
        }
    }

    public static Connection connect(String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        Connection c = DRIVER.connect(url, p);
        if (c == null) throw new SQLException("The Hive driver does not accept " + url);
        return c;
    }

    public static Connection connect(String url) throws SQLException {
        return connect(url, null, null);
    }
}
