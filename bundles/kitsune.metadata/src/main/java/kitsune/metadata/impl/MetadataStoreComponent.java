package kitsune.metadata.impl;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.batch.BatchStore;
import kitsune.api.batch.BatchStoreException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * The batch metadata store of kyuubi.metadata.store.jdbc.*: opens the database (embedded Derby under the work
 * directory by default), migrates its schema and registers the {@link BatchStore} service. A store that cannot be
 * opened is logged with its cause and not registered: batches then answer 503, sessions are untouched. An applied
 * edit of kyuubi-defaults.conf keeps the open store (batch calls are not interrupted; the store's keys need a
 * restart); a store that could not be opened, or whose settings differ, is opened again.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
public class MetadataStoreComponent {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStoreComponent.class);

    /** How the store connects: URL, driver and login, the password never shown. */
    record Settings(Dialect dialect, String url, String driverClass, List<String> driverJars, String user,
            String password, Path home) {
        static Settings from(KitsuneConf conf) {
            Dialect dialect = Dialect.of(conf.get(ConfigKeys.METADATA_STORE_JDBC_DATABASE_TYPE));
            String url = conf.get(ConfigKeys.METADATA_STORE_JDBC_URL).trim();
            if (url.isEmpty()) {
                if (dialect != Dialect.DERBY) {
                    throw new IllegalArgumentException(ConfigKeys.METADATA_STORE_JDBC_URL.name() + " is empty: set "
                            + "the JDBC URL of the " + dialect + " database (only DERBY has a default)");
                }
                url = derbyUrl(workDir(conf).resolve("metadata"));
            }
            String driver = conf.get(ConfigKeys.METADATA_STORE_JDBC_DRIVER).trim();
            String home = conf.raw(ConfigKeys.KITSUNE_HOME.name());
            return new Settings(dialect, url, driver.isEmpty() ? dialect.driver : driver,
                    conf.get(ConfigKeys.METADATA_STORE_JDBC_DRIVER_JARS), conf.get(ConfigKeys.METADATA_STORE_JDBC_USER),
                    conf.get(ConfigKeys.METADATA_STORE_JDBC_PASSWORD), Path.of(home == null ? "." : home));
        }

        /** The URL as a log line shows it: without its parameters (which may carry a password). */
        String shownUrl() {
            int cut = url.length();
            for (char ch : new char[] {'?', ';'}) {
                int i = url.indexOf(ch);
                if (i >= 0 && i < cut) cut = i;
            }
            return url.substring(0, cut);
        }

        @Override
        public String toString() {
            return "Settings[" + dialect + ", " + shownUrl() + ", driver " + driverClass + "]";
        }
    }

    static String derbyUrl(Path dir) {
        return "jdbc:derby:" + dir.toAbsolutePath().normalize() + ";create=true";
    }

    static Path workDir(KitsuneConf conf) {
        String dir = conf.raw(ConfigKeys.WORK_DIR.name());
        return Path.of(dir == null || dir.isBlank() ? ConfigKeys.WORK_DIR.defaultValue() : dir).toAbsolutePath()
                .normalize();
    }

    private ServiceRegistration<BatchStore> registration;
    private Settings settings;
    private URLClassLoader driverLoader;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        try {
            settings = Settings.from(KitsuneConf.fromProperties(properties));
            JdbcBatchStore store = open(settings);
            int before = store.migrate(settings.dialect());
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("kitsune.metadata.store", settings.dialect().name());
            registration = context.registerService(BatchStore.class, store, props);
            LOG.info("Batch metadata store {} ready (schema version {} found, {} now)", settings.shownUrl(), before,
                    Migrations.LATEST);
        } catch (BatchStoreException | IllegalArgumentException | IOException | ReflectiveOperationException e) {
            LOG.error("The batch metadata store cannot be opened, batches are refused until it can: {}",
                    e.getMessage(), e);
        }
    }

    @Modified
    void modified(BundleContext context, Map<String, Object> properties) {
        Settings next;
        try {
            next = Settings.from(KitsuneConf.fromProperties(properties));
        } catch (IllegalArgumentException e) {
            next = null; // activate logs it
        }
        if (registration != null && next != null && next.equals(settings)) return;
        LOG.info("Opening the batch metadata store again after a configuration change");
        deactivate();
        activate(context, properties);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // bundle stopping
            }
            registration = null;
        }
        if (settings != null && settings.dialect() == Dialect.DERBY && settings.url().startsWith("jdbc:derby:")
                && !settings.url().startsWith("jdbc:derby://")) {
            shutDownDerby(settings.url());
        }
        if (driverLoader != null) {
            try {
                driverLoader.close();
            } catch (IOException e) {
                LOG.debug("Closing the metadata store's driver jars: {}", e.toString());
            }
            driverLoader = null;
        }
        settings = null;
    }

    /** Embedded Derby keeps the database open (and locked) until told to shut it down. */
    static void shutDownDerby(String url) {
        String base = url.contains(";") ? url.substring(0, url.indexOf(';')) : url;
        try {
            new org.apache.derby.jdbc.EmbeddedDriver().connect(base + ";shutdown=true", new Properties());
        } catch (SQLException e) {
            // 08006: the database shut down, as asked
            if (!"08006".equals(e.getSQLState())) LOG.warn("Derby did not shut down cleanly: {}", e.getMessage());
        }
    }

    private JdbcBatchStore open(Settings s) throws IOException, ReflectiveOperationException {
        Driver driver = driver(s);
        Properties login = new Properties();
        if (!s.user().isEmpty()) login.setProperty("user", s.user());
        if (!s.password().isEmpty()) login.setProperty("password", s.password());
        if (s.dialect() == Dialect.DERBY && System.getProperty("derby.stream.error.file") == null) {
            // Derby's own log beside the database, not in the server's working directory
            Path dir = workDir(KitsuneConf.empty());
            System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
        }
        String url = s.url();
        ClassLoader bundleLoader = getClass().getClassLoader();
        return new JdbcBatchStore(() -> {
            Thread t = Thread.currentThread();
            ClassLoader previous = t.getContextClassLoader();
            t.setContextClassLoader(bundleLoader);
            try {
                Connection c = driver.connect(url, login);
                if (c == null) {
                    throw new SQLException("The JDBC driver " + s.driverClass() + " does not accept the URL "
                            + s.shownUrl() + " (" + ConfigKeys.METADATA_STORE_JDBC_URL.name() + ")");
                }
                return c;
            } finally {
                t.setContextClassLoader(previous);
            }
        }, s.shownUrl());
    }

    private Driver driver(Settings s) throws IOException, ReflectiveOperationException {
        if (s.driverClass().equals(Dialect.DERBY.driver)) return new org.apache.derby.jdbc.EmbeddedDriver();
        List<URL> urls = new ArrayList<>();
        for (String jar : s.driverJars()) {
            Path p = s.home().resolve(jar.trim()).normalize();
            if (!Files.isRegularFile(p)) {
                throw new IOException("The metadata store's JDBC driver jar " + p + " ("
                        + ConfigKeys.METADATA_STORE_JDBC_DRIVER_JARS.name() + ") does not exist");
            }
            try {
                urls.add(p.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IOException("The JDBC driver jar " + p + " is not a valid path", e);
            }
        }
        driverLoader = new URLClassLoader(urls.toArray(URL[]::new), getClass().getClassLoader());
        try {
            return (Driver) Class.forName(s.driverClass(), true, driverLoader).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new ClassNotFoundException("The metadata store's JDBC driver " + s.driverClass() + " ("
                    + ConfigKeys.METADATA_STORE_JDBC_DRIVER.name() + ") is not in "
                    + ConfigKeys.METADATA_STORE_JDBC_DRIVER_JARS.name() + " " + s.driverJars(), e);
        }
    }
}
