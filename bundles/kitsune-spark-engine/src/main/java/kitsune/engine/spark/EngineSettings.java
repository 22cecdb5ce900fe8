package kitsune.engine.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKey;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.ValueType;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.EngineSpace;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.ZkAuth;
import kitsune.api.registry.ZkPaths;

/**
 * What the server put into engine.properties, parsed and validated once at start so that a bad value stops the
 * engine with a message naming the key instead of failing later in the middle of a session.
 */
public final class EngineSettings {
    /**
     * An engine's own default for kyuubi.frontend.thrift.max.worker.threads: its Thrift threads serve the pooled
     * connections of the servers (kitsune.engine.connections.max each), not clients.
     */
    static final String ENGINE_MAX_WORKERS = "200";

    private final Map<String, String> raw;
    private final String zkAddresses;
    private final String engineSpace;
    private final String refId;
    private final String spaceVersion;
    private final ShareLevel shareLevel;
    private final String user;
    private final Path workDir;
    private final boolean ownWorkDir;
    private final String master;
    private final String deployMode;
    private final String bindHost;
    private final Duration idleTimeout;
    private final Duration maxLifetime;
    private final Duration sessionIdleTimeout;
    private final Duration pollingTimeout;
    private final Duration zkSessionTimeout;
    private final Duration zkConnectionTimeout;
    private final int maxWorkerThreads;
    private final int maxMessageSize;
    private final int execPoolSize;
    private final int execQueueSize;
    private final int resultMaxRows;
    private final String secret;
    private final ZkAuth zkAuth;
    private final java.util.List<String> zkNodeAcl;

    private EngineSettings(Map<String, String> raw) {
        this.raw = raw;
        zkAddresses = required(EngineConf.ZK_ADDRESSES);
        engineSpace = "/" + ZkPaths.trimSlashes(required(EngineConf.ENGINE_SPACE));
        refId = required(EngineConf.REF_ID);
        spaceVersion = required(EngineConf.SPACE_VERSION);
        shareLevel = ShareLevel.valueOf(value(EngineConf.SHARE_LEVEL, "USER",
                ValueType.oneOf("CONNECTION", "USER", "GROUP", "SERVER")));
        user = value(EngineConf.USER, System.getProperty("user.name"), ValueType.STRING);
        String dir = raw.get(EngineConf.WORK_DIR);
        ownWorkDir = dir != null && !dir.isBlank();
        // a cluster-mode driver works in the directory the cluster gave it
        workDir = Path.of(ownWorkDir ? dir.trim() : System.getProperty("user.dir")).toAbsolutePath().normalize();
        master = value("spark.master", "local[*]", ValueType.STRING).trim();
        deployMode = value("spark.submit.deployMode", "client", ValueType.oneOf("CLIENT", "CLUSTER"))
                .toLowerCase(java.util.Locale.ROOT);
        bindHost = bindHost(value(ConfigKeys.ENGINE_BIND_HOST).trim(), master);
        idleTimeout = value(ConfigKeys.ENGINE_IDLE_TIMEOUT);
        sessionIdleTimeout = value(ConfigKeys.SESSION_IDLE_TIMEOUT);
        maxLifetime = value(ConfigKeys.ENGINE_MAX_LIFETIME);
        pollingTimeout = value(ConfigKeys.OPERATION_STATUS_POLLING_TIMEOUT);
        zkSessionTimeout = value(ConfigKeys.HA_ZK_SESSION_TIMEOUT);
        zkConnectionTimeout = value(ConfigKeys.HA_ZK_CONNECTION_TIMEOUT);
        maxWorkerThreads = value(ConfigKeys.THRIFT_MAX_WORKERS.name(), ENGINE_MAX_WORKERS,
                ConfigKeys.THRIFT_MAX_WORKERS.type());
        maxMessageSize = value(ConfigKeys.THRIFT_MAX_MESSAGE_SIZE);
        execPoolSize = value(ConfigKeys.ENGINE_EXEC_POOL_SIZE);
        execQueueSize = value(ConfigKeys.ENGINE_EXEC_QUEUE_SIZE);
        resultMaxRows = value(ConfigKeys.OPERATION_RESULT_MAX_ROWS);
        if (value(ConfigKeys.ENGINE_SECURITY_ENABLED)) {
            secret = value(ConfigKeys.ENGINE_SECRET);
            if (secret.isEmpty()) {
                throw new IllegalArgumentException(ConfigKeys.ENGINE_SECURITY_ENABLED.name() + "=true needs "
                        + ConfigKeys.ENGINE_SECRET.name());
            }
        } else {
            secret = null;
        }
        // the identity the launching server derived for this engine's space, never the servers' own
        zkAuth = ZkAuth.forEngine(KitsuneConf.of(raw));
        String acl = raw.get(EngineConf.ZK_ENGINE_NODE_ACL);
        zkNodeAcl = acl == null || acl.isBlank() ? java.util.List.of()
                : java.util.Arrays.stream(acl.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList();
    }

    /**
     * The ACL of this engine's node as the server computed it, {@code perms:scheme:id} entries; empty: open (no ACLs).
     */
    public java.util.List<String> zkNodeAcl() {
        return zkNodeAcl;
    }

    /** How the engine authenticates to ZooKeeper and protects its nodes. */
    public ZkAuth zkAuth() {
        return zkAuth;
    }

    public static EngineSettings load(Path file) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        }
        return from(props);
    }

    /**
     * The settings of an engine submitted through spark-submit, which passes on spark.* keys only: the engine's own
     * settings arrive as {@code spark.kitsune.engine.setting.<key>} system properties. Those are removed from the
     * system properties here, so that they never enter the SparkSession's configuration, where a user's SET could
     * read them (the engine secret among them).
     */
    public static EngineSettings fromSubmission(Properties system) {
        Properties props = new Properties();
        for (String k : system.stringPropertyNames()) {
            if (k.startsWith(EngineConf.SUBMITTED_SETTING_PREFIX)) {
                props.setProperty(k.substring(EngineConf.SUBMITTED_SETTING_PREFIX.length()), system.getProperty(k));
                system.remove(k);
            } else if (k.startsWith("spark.")) {
                props.setProperty(k, system.getProperty(k));
            }
        }
        return from(props);
    }

    /**
     * The address to bind and publish: the configured one, else 127.0.0.1 for a local master (nothing outside this
     * host needs the engine) and this host's canonical address on a cluster (the servers reach the driver there).
     */
    static String bindHost(String configured, String master) {
        if (!configured.isEmpty()) return configured;
        if (master.startsWith("local")) return "127.0.0.1";
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.net.UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    public static EngineSettings from(Properties props) {
        Map<String, String> raw = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().forEach(k -> raw.put(k, props.getProperty(k)));
        return new EngineSettings(raw);
    }

    private String required(String key) {
        String v = raw.get(key);
        if (v == null || v.isBlank()) throw new ConfigException(key, "Missing required engine setting " + key);
        return v.trim();
    }

    /** A catalogue key's value, its default when absent. */
    private <T> T value(ConfigKey<T> key) {
        return value(key.name(), key.defaultValue(), key.type());
    }

    private <T> T value(String key, String def, ValueType<T> type) {
        String v = raw.get(key);
        return type.parse(key, v == null || v.isBlank() ? def : v);
    }

    /**
     * The Spark configuration to build the session with: every spark.* key given, plus the defaults a local engine
     * needs (Kyuubi sets the same ones for local mode) where the server did not set them.
     *
     * @param hiveAvailable whether spark-hive and Hive's classes are on the classpath
     */
    public Map<String, String> sparkConf(boolean hiveAvailable) {
        Map<String, String> conf = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith("spark.")) conf.put(k, v);
        });
        conf.putIfAbsent("spark.master", "local[*]");
        conf.putIfAbsent("spark.app.name", appName());
        conf.putIfAbsent("spark.ui.enabled", "false");
        conf.putIfAbsent("spark.driver.host", advertisedHost());
        conf.putIfAbsent("spark.driver.bindAddress", bindHost);
        conf.putIfAbsent("spark.sql.warehouse.dir", workDir.resolve("spark-warehouse").toString());
        if (hiveAvailable) {
            conf.putIfAbsent("spark.sql.catalogImplementation", "hive");
            conf.putIfAbsent("spark.hadoop.javax.jdo.option.ConnectionURL", derbyUrl());
        }
        return conf;
    }

    /** The embedded Derby metastore lives in the work dir, so a USER engine's tables survive its restarts. */
    String derbyUrl() {
        return "jdbc:derby:;databaseName=" + workDir.resolve("metastore_db") + ";create=true";
    }

    /**
     * Kyuubi's default application name, so that Spark UIs and history servers show the names Kyuubi users know.
     * User and subdomain are read from the engine space path; namespace and version do not enter the name.
     */
    String appName() {
        String routingUser = spaceSegment(2, user);
        String subdomain = shareLevel == ShareLevel.CONNECTION ? refId : spaceSegment(3, "default");
        return new EngineSpace("kyuubi", "0", shareLevel, "SPARK_SQL", routingUser, subdomain).defaultAppName(refId);
    }

    /** A segment of the engine space path: /&lt;common parent&gt;/&lt;routing user&gt;/&lt;subdomain&gt;. */
    private String spaceSegment(int index, String fallback) {
        String[] parts = engineSpace.split("/");
        return parts.length > index && !parts[index].isEmpty() ? parts[index] : fallback;
    }

    /** The host written into the znode: the bind host, or this machine's address when bound to every interface. */
    public String advertisedHost() {
        if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) return bindHost;
        try {
            return java.net.InetAddress.getLocalHost().getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    public String zkAddresses() { return zkAddresses; }
    public String engineSpace() { return engineSpace; }
    public String refId() { return refId; }
    public String spaceVersion() { return spaceVersion; }
    public ShareLevel shareLevel() { return shareLevel; }
    public String user() { return user; }
    public Path workDir() { return workDir; }
    /** Whether the server gave the engine a work directory on this host (local master, client mode). */
    public boolean ownWorkDir() { return ownWorkDir; }
    public String master() { return master; }
    public String deployMode() { return deployMode; }
    public String bindHost() { return bindHost; }
    public Duration idleTimeout() { return idleTimeout; }
    /** kyuubi.session.engine.spark.max.lifetime; zero: no limit. */
    public Duration maxLifetime() { return maxLifetime; }
    /** How long a session may go without a call before the engine closes it (0: never). */
    public Duration sessionIdleTimeout() { return sessionIdleTimeout; }
    public Duration pollingTimeout() { return pollingTimeout; }
    public Duration zkSessionTimeout() { return zkSessionTimeout; }
    public Duration zkConnectionTimeout() { return zkConnectionTimeout; }
    public int maxWorkerThreads() { return maxWorkerThreads; }
    public int maxMessageSize() { return maxMessageSize; }

    /** The shared engine secret connections must log in with; null when the engine takes raw connections. */
    public String secret() { return secret; }
    public int execPoolSize() { return execPoolSize; }
    public int execQueueSize() { return execQueueSize; }
    /** Most rows a statement's result yields (kyuubi.operation.result.max.rows); 0: no limit. */
    public int resultMaxRows() { return resultMaxRows; }
}
