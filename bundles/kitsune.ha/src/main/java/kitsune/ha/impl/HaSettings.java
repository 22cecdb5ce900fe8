package kitsune.ha.impl;

import java.nio.file.Path;
import java.time.Duration;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.ZkAuth;
import kitsune.api.registry.ZkPaths;

/**
 * The kyuubi.ha.* and kyuubi.zookeeper.embedded.* keys this bundle honours, parsed once. All of them need a
 * restart (ConfigKey.restartNeeded), so a running server never sees them change. {@code auth} holds the ZooKeeper
 * digest: a record's toString() would show it, so this record's is overridden.
 */
record HaSettings(
        String addresses,
        String namespace,
        int sessionTimeoutMs,
        int connectionTimeoutMs,
        String retryPolicy,
        int baseRetryWaitMs,
        int maxRetryWaitMs,
        int maxRetries,
        Duration nodeCreationTimeout,
        boolean publishConfigs,
        String embeddedHost,
        int embeddedPort,
        Path embeddedDataDir,
        int embeddedTickTime,
        int embeddedMaxSessionTimeout,
        ZkAuth auth) {

    @Override
    public String toString() {
        return "HaSettings[" + (embedded() ? "embedded" : addresses) + ", namespace " + namespace + ", " + auth + "]";
    }

    static final String WORK_DIR_KEY = "kitsune.work.dir";
    static final String HOME_KEY = "kitsune.home";

    boolean embedded() {
        return addresses.isEmpty();
    }

    /**
     * @param frameworkWorkDir the framework property kitsune.work.dir, used when the configuration has no
     *                         kitsune.work.dir key (it normally has: the config bundle publishes it)
     */
    static HaSettings from(KitsuneConf conf, String frameworkWorkDir, String frameworkHome) {
        Path workDir = workDir(conf, frameworkWorkDir, frameworkHome);
        Path dataDir = Path.of(conf.get(ConfigKeys.ZK_EMBEDDED_DATA_DIR).trim());
        if (!dataDir.isAbsolute()) dataDir = workDir.resolve(dataDir);
        String host = conf.get(ConfigKeys.ZK_EMBEDDED_ADDRESS).trim();
        return new HaSettings(
                conf.get(ConfigKeys.HA_ADDRESSES).trim(),
                ZkPaths.trimSlashes(conf.get(ConfigKeys.HA_NAMESPACE).trim()),
                millis(conf.get(ConfigKeys.HA_ZK_SESSION_TIMEOUT)),
                millis(conf.get(ConfigKeys.HA_ZK_CONNECTION_TIMEOUT)),
                conf.get(ConfigKeys.HA_ZK_RETRY_POLICY),
                millis(conf.get(ConfigKeys.HA_ZK_BASE_RETRY_WAIT)),
                millis(conf.get(ConfigKeys.HA_ZK_MAX_RETRY_WAIT)),
                conf.get(ConfigKeys.HA_ZK_MAX_RETRIES),
                conf.get(ConfigKeys.HA_ZK_NODE_CREATION_TIMEOUT),
                conf.get(ConfigKeys.HA_ZK_PUBLISH_CONFIGS),
                host.isEmpty() ? "127.0.0.1" : host,
                conf.get(ConfigKeys.ZK_EMBEDDED_PORT),
                dataDir.toAbsolutePath().normalize(),
                conf.get(ConfigKeys.ZK_EMBEDDED_TICK_TIME),
                conf.get(ConfigKeys.ZK_EMBEDDED_MAX_SESSION_TIMEOUT),
                ZkAuth.from(conf));
    }

    static Path workDir(KitsuneConf conf, String frameworkWorkDir, String frameworkHome) {
        String w = conf.raw(WORK_DIR_KEY);
        if (w == null || w.isBlank()) w = frameworkWorkDir;
        if (w != null && !w.isBlank()) return Path.of(w.trim());
        String home = conf.raw(HOME_KEY);
        if (home == null || home.isBlank()) home = frameworkHome;
        if (home != null && !home.isBlank()) return Path.of(home.trim(), "work");
        return Path.of("work");
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
