package kitsune.config.impl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.internal.exit.ServerExit;

/**
 * Publishes $KITSUNE_CONF_DIR/kyuubi-defaults.conf as the Config Admin configuration {@link ConfigKeys#PID}
 * (values as Strings, plus the framework properties kitsune.home, kitsune.conf.dir, kitsune.work.dir and
 * kitsune.log.dir), and republishes it when the file changes. An invalid or missing file at start stops the server
 * with exit status 78.
 *
 * <p>Framework properties read (BundleContext.getProperty, which also falls back to JVM system properties):
 * kitsune.conf.dir (else ${kitsune.home}/conf, else the KITSUNE_CONF_DIR environment variable), kitsune.home,
 * kitsune.work.dir, kitsune.log.dir, and kitsune.conf.poll.interval (ms, default 2000).
 */
@Component(name = "kitsune.config", immediate = true, service = {})
public class ConfigPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigPublisher.class);
    static final String PROP_POLL_INTERVAL = "kitsune.conf.poll.interval";
    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

    private final ConfigurationAdmin configAdmin;
    private ConfWatcher watcher;

    @Activate
    public ConfigPublisher(@Reference ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    @Activate
    void activate(BundleContext context) {
        Map<String, String> fw = frameworkProperties(context);
        String confDir = fw.get(ConfSource.PROP_CONF_DIR);
        if (confDir == null) {
            ServerExit.fatal(context, "The configuration directory is unknown: set KITSUNE_CONF_DIR or KITSUNE_HOME "
                    + "(framework property " + ConfSource.PROP_CONF_DIR + ")", ServerExit.EX_CONFIG);
            return;
        }
        ConfSource source = new ConfSource(Path.of(confDir));
        ConfManager manager = new ConfManager(source, () -> ConfSource.systemDefaults(System.getProperties()), fw,
                this::publish);
        try {
            manager.start();
        } catch (ConfigException e) {
            ServerExit.fatal(context, e.getMessage(), ServerExit.EX_CONFIG);
            return;
        } catch (Exception e) {
            ServerExit.fatal(context, "Could not publish the configuration from " + source.file() + ": " + e,
                    ServerExit.EX_CONFIG);
            return;
        }
        watcher = new ConfWatcher(manager, pollInterval(context));
        watcher.start();
    }

    @Deactivate
    void deactivate() {
        // The published configuration stays: components keep running with it, and an updated config bundle
        // republishes (updateIfDifferent: no churn when nothing changed).
        if (watcher != null) watcher.close();
        watcher = null;
    }

    /** The framework properties published beside the configuration; conf dir resolved with its fallbacks. */
    static Map<String, String> frameworkProperties(BundleContext context) {
        Map<String, String> m = new LinkedHashMap<>();
        String home = trimToNull(context.getProperty(ConfSource.PROP_HOME));
        String confDir = trimToNull(context.getProperty(ConfSource.PROP_CONF_DIR));
        if (confDir == null) confDir = trimToNull(System.getenv(ConfSource.CONF_DIR_ENV));
        if (confDir == null && home != null) confDir = Path.of(home, "conf").toString();
        if (home != null) m.put(ConfSource.PROP_HOME, home);
        if (confDir != null) m.put(ConfSource.PROP_CONF_DIR, confDir);
        for (String k : new String[] {ConfSource.PROP_WORK_DIR, ConfSource.PROP_LOG_DIR}) {
            String v = trimToNull(context.getProperty(k));
            if (v != null) m.put(k, v);
        }
        return m;
    }

    static Duration pollInterval(BundleContext context) {
        String v = trimToNull(context.getProperty(PROP_POLL_INTERVAL));
        if (v == null) return DEFAULT_POLL_INTERVAL;
        try {
            long ms = Long.parseLong(v);
            if (ms > 0) return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            // fall through
        }
        LOG.warn("Invalid value for framework property {}: '{}' (allowed: milliseconds > 0); using {} ms",
                PROP_POLL_INTERVAL, v, DEFAULT_POLL_INTERVAL.toMillis());
        return DEFAULT_POLL_INTERVAL;
    }

    private void publish(Map<String, String> props) throws Exception {
        // "?" = multi-location: every bundle's components may bind this configuration
        Configuration cfg = configAdmin.getConfiguration(ConfigKeys.PID, "?");
        Dictionary<String, Object> dict = new Hashtable<>(props);
        boolean changed;
        try {
            changed = cfg.updateIfDifferent(dict);
        } catch (NoSuchMethodError | AbstractMethodError oldConfigAdmin) {
            cfg.update(dict);
            changed = true;
        }
        LOG.debug("Configuration {} {}", ConfigKeys.PID, changed ? "published" : "unchanged");
    }

    private static String trimToNull(String s) {
        if (s == null) return null;
        String t = s.trim();
        return t.isEmpty() ? null : t;
    }
}
