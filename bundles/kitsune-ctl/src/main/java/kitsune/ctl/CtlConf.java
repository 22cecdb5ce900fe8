package kitsune.ctl;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineSpaceVersions;
import kitsune.api.registry.ZkAuth;

/**
 * The configuration the CLI works with, layered as Kyuubi layers it: JVM system properties {@code kyuubi.*},
 * {@code kitsune.*} and {@code spark.*} &lt; {@code $KITSUNE_CONF_DIR/kyuubi-defaults.conf} &lt; {@code --conf k=v}.
 * Also derives the defaults of the command-line options from it.
 */
final class CtlConf {
    static final String FILE_NAME = "kyuubi-defaults.conf";
    /** How long the CLI waits for ZooKeeper unless kyuubi.ha.zookeeper.connection.timeout is set. */
    static final Duration DEFAULT_CONNECT_WAIT = Duration.ofSeconds(10);

    private final KitsuneConf conf;

    CtlConf(KitsuneConf conf) {
        this.conf = conf;
    }

    /**
     * @param confDir   the conf directory (null: none, only system properties and --conf)
     * @param sysProps  the JVM system properties
     * @param overrides the --conf pairs as written
     */
    static CtlConf load(Path confDir, Properties sysProps, List<String> overrides) throws CtlException {
        Map<String, String> m = new TreeMap<>();
        for (String k : sysProps.stringPropertyNames()) {
            if (k.startsWith("kyuubi.") || k.startsWith("spark.")
                    || (k.startsWith("kitsune.") && !k.equals("kitsune.home") && !k.equals("kitsune.conf.dir"))) {
                m.put(k, sysProps.getProperty(k).trim());
            }
        }
        if (confDir != null) m.putAll(readFile(confDir.resolve(FILE_NAME)));
        m.putAll(parseOverrides(overrides));
        return new CtlConf(KitsuneConf.of(m));
    }

    /** Reads the conf file as Kyuubi does (java.util.Properties, UTF-8, trimmed); a missing file is no error. */
    static Map<String, String> readFile(Path file) throws CtlException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | IllegalArgumentException e) {
            throw CtlException.failed("Cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            if (!k.trim().isEmpty()) m.put(k.trim(), p.getProperty(k).trim());
        }
        return m;
    }

    static Map<String, String> parseOverrides(List<String> pairs) throws CtlException {
        Map<String, String> m = new LinkedHashMap<>();
        if (pairs == null) return m;
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw CtlException.usage("Invalid --conf '" + pair + "': expected key=value");
            m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return m;
    }

    KitsuneConf conf() {
        return conf;
    }

    String raw(String key) {
        return conf.raw(key);
    }

    /** kyuubi.ha.addresses, or the embedded ZooKeeper of pseudo mode when that is empty. */
    String zkQuorum() throws CtlException {
        String addresses = get(() -> conf.get(ConfigKeys.HA_ADDRESSES)).trim();
        if (!addresses.isEmpty()) return addresses;
        String address = get(() -> conf.get(ConfigKeys.ZK_EMBEDDED_ADDRESS)).trim();
        if (address.isEmpty() || address.equals("0.0.0.0") || address.equals("::")) address = "127.0.0.1";
        int port = get(() -> conf.get(ConfigKeys.ZK_EMBEDDED_PORT));
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /** kyuubi.ctl.rest.base.url: the REST API when --hostUrl is not given; empty when not set. */
    String restBaseUrl() throws CtlException {
        return get(() -> conf.get(ConfigKeys.CTL_REST_BASE_URL)).trim();
    }

    /** kyuubi.ctl.rest.auth.schema: basic or spnego, lower-case. */
    String restAuthSchema() throws CtlException {
        return get(() -> conf.get(ConfigKeys.CTL_REST_AUTH_SCHEMA)).toLowerCase(java.util.Locale.ROOT);
    }

    /** kyuubi.ctl.rest.spnego.host; empty when not set. */
    String restSpnegoHost() throws CtlException {
        return get(() -> conf.get(ConfigKeys.CTL_REST_SPNEGO_HOST)).trim();
    }

    /** kyuubi.ctl.batch.log.query.interval: how often a followed batch's log and state are asked for (at least 10 ms). */
    Duration batchLogInterval() throws CtlException {
        Duration d = get(() -> conf.get(ConfigKeys.CTL_BATCH_LOG_QUERY_INTERVAL));
        return d.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : d;
    }

    String namespace() throws CtlException {
        return get(() -> conf.get(ConfigKeys.HA_NAMESPACE));
    }

    String engineType() throws CtlException {
        return get(() -> conf.get(ConfigKeys.ENGINE_TYPE));
    }

    String shareLevel() throws CtlException {
        return get(() -> conf.get(ConfigKeys.ENGINE_SHARE_LEVEL));
    }

    /** kyuubi.engine.share.level.subdomain, or "default" (as kyuubi-ctl does). */
    String subdomain() throws CtlException {
        String s = get(() -> conf.get(ConfigKeys.ENGINE_SHARE_LEVEL_SUBDOMAIN));
        return s == null || s.isBlank() ? "default" : s.trim();
    }

    /** The engine space version the server's default engine home uses, computed as the server computes it. */
    String engineSpaceVersion() throws CtlException {
        return get(() -> EngineSpaceVersions.spark(conf));
    }

    /** How long to wait for a ZooKeeper connection: kyuubi.ha.zookeeper.connection.timeout when set, else 10 s. */
    Duration connectWait() throws CtlException {
        if (!conf.contains(ConfigKeys.HA_ZK_CONNECTION_TIMEOUT.name())) return DEFAULT_CONNECT_WAIT;
        Duration d = get(() -> conf.get(ConfigKeys.HA_ZK_CONNECTION_TIMEOUT));
        return d.isNegative() || d.isZero() ? DEFAULT_CONNECT_WAIT : d;
    }

    /** kyuubi.ha.zookeeper.auth.*: the servers' ZooKeeper identity, so that the CLI may change their nodes. */
    ZkAuth zkAuth() throws CtlException {
        return get(() -> ZkAuth.from(conf));
    }

    Duration sessionTimeout() throws CtlException {
        return get(() -> conf.get(ConfigKeys.HA_ZK_SESSION_TIMEOUT));
    }

    private interface Getter<T> {
        T get();
    }

    /** Turns an invalid configured value into a one-line failure naming key and value. */
    private static <T> T get(Getter<T> g) throws CtlException {
        try {
            return g.get();
        } catch (RuntimeException e) {
            throw CtlException.failed(e.getMessage());
        }
    }
}
