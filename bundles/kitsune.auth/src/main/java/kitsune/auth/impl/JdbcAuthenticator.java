package kitsune.auth.impl;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;

import kitsune.api.auth.AuthenticationException;
import kitsune.api.auth.Authenticator;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * kyuubi.authentication=JDBC: a login is accepted when kyuubi.authentication.jdbc.query returns a row for it. The
 * ${user} and ${password} placeholders become bind parameters (never text spliced into SQL). The driver is loaded from
 * kitsune.authentication.jdbc.driver.jars in a class loader of its own: the OSGi runtime has no application class path
 * to put a driver on. One connection per login (logins are rare next to statements). Settings are read live.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Authenticator.AUTH_TYPE + "=JDBC")
public class JdbcAuthenticator implements Authenticator {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(user|password)}");

    /** The query with placeholders turned into '?', and which value goes to each '?'. */
    record Query(String sql, List<String> parameters) {
        static Query parse(String query) {
            Matcher m = PLACEHOLDER.matcher(query);
            StringBuilder sql = new StringBuilder();
            List<String> parameters = new ArrayList<>();
            while (m.find()) {
                parameters.add(m.group(1));
                m.appendReplacement(sql, "?");
            }
            m.appendTail(sql);
            return new Query(sql.toString(), parameters);
        }
    }

    record Settings(String driverClass, List<String> driverJars, String url, String user, String password,
            String query, Path home) {
        static Settings from(KitsuneConf conf) {
            String home = conf.raw(ConfigKeys.KITSUNE_HOME.name());
            return new Settings(conf.get(ConfigKeys.JDBC_AUTH_DRIVER_CLASS).trim(),
                    conf.get(ConfigKeys.JDBC_AUTH_DRIVER_JARS), conf.get(ConfigKeys.JDBC_AUTH_URL).trim(),
                    conf.get(ConfigKeys.JDBC_AUTH_USER), conf.get(ConfigKeys.JDBC_AUTH_PASSWORD),
                    conf.get(ConfigKeys.JDBC_AUTH_QUERY).trim(), Path.of(home == null ? "." : home));
        }
    }

    private volatile Settings settings;
    /** The driver of the settings it was loaded for; replaced when the driver settings change. */
    private Settings driverSettings;
    private Driver driver;
    private URLClassLoader driverLoader;

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        settings = Settings.from(KitsuneConf.fromProperties(properties));
    }

    @Deactivate
    synchronized void deactivate() {
        closeDriverLoader();
    }

    @Override
    public void authenticate(String user, String password) throws AuthenticationException {
        Settings s = settings;
        require(s.url(), ConfigKeys.JDBC_AUTH_URL.name());
        require(s.query(), ConfigKeys.JDBC_AUTH_QUERY.name());
        Query query = Query.parse(s.query());
        if (!query.parameters().contains("user")) {
            throw new AuthenticationException(ConfigKeys.JDBC_AUTH_QUERY.name() + " must contain ${user}");
        }
        Properties login = new Properties();
        if (!s.user().isEmpty()) login.setProperty("user", s.user());
        if (!s.password().isEmpty()) login.setProperty("password", s.password());
        try (Connection c = connect(s, login); PreparedStatement st = c.prepareStatement(query.sql())) {
            for (int i = 0; i < query.parameters().size(); i++) {
                st.setString(i + 1, "user".equals(query.parameters().get(i)) ? user : password);
            }
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) return;
            }
        } catch (SQLException e) {
            throw new AuthenticationException("the user database " + s.url() + " could not be queried: "
                    + e.getMessage());
        }
        throw new AuthenticationException("invalid user name or password");
    }

    private Connection connect(Settings s, Properties login) throws SQLException, AuthenticationException {
        Connection c = driver(s).connect(s.url(), login);
        if (c == null) {
            throw new AuthenticationException("the JDBC driver " + s.driverClass() + " does not accept the URL "
                    + s.url() + " (" + ConfigKeys.JDBC_AUTH_URL.name() + ")");
        }
        return c;
    }

    private synchronized Driver driver(Settings s) throws AuthenticationException {
        if (driver != null && driverSettings.driverClass().equals(s.driverClass())
                && driverSettings.driverJars().equals(s.driverJars())) {
            return driver;
        }
        require(s.driverClass(), ConfigKeys.JDBC_AUTH_DRIVER_CLASS.name());
        closeDriverLoader();
        List<URL> urls = new ArrayList<>();
        for (String jar : s.driverJars()) {
            Path p = s.home().resolve(jar.trim()).normalize();
            if (!Files.isRegularFile(p)) {
                throw new AuthenticationException("the JDBC driver jar " + p + " ("
                        + ConfigKeys.JDBC_AUTH_DRIVER_JARS.name() + ") does not exist");
            }
            try {
                urls.add(p.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new AuthenticationException("the JDBC driver jar " + p + " is not a valid path", e);
            }
        }
        URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        try {
            driver = (Driver) loader.loadClass(s.driverClass()).getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            close(loader);
            throw new AuthenticationException("the JDBC driver " + s.driverClass() + " cannot be loaded from "
                    + ConfigKeys.JDBC_AUTH_DRIVER_JARS.name() + "=" + String.join(",", s.driverJars()) + ": " + e);
        }
        driverLoader = loader;
        driverSettings = s;
        return driver;
    }

    private void closeDriverLoader() {
        if (driverLoader != null) close(driverLoader);
        driverLoader = null;
        driver = null;
    }

    private static void close(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // nothing held that matters
        }
    }

    private static void require(String value, String key) throws AuthenticationException {
        if (value == null || value.isEmpty()) {
            throw new AuthenticationException(key + " is not set, so no JDBC login can succeed");
        }
    }
}
