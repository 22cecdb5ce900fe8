package kitsune.api.engine;

import java.nio.file.Path;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * The one place that names a Spark engine space's version: {@code <engine protocol>-<home name>}. The Spark engine
 * provider and kitsune-ctl both use it, so that the CLI finds the engines a server launched.
 */
public final class EngineSpaceVersions {
    /** Version of the server-engine protocol; bumped only when an old engine could not serve a new server. */
    public static final String SPARK_ENGINE_PROTOCOL = "1";
    /** Kyuubi's way to name a Spark home: a path, server-wide. */
    public static final String KYUUBI_SPARK_HOME = "kyuubi.engineEnv.SPARK_HOME";

    private EngineSpaceVersions() {
    }

    /** The name of the engine home the configuration selects (not checked against the allowed homes). */
    public static String sparkHomeName(KitsuneConf conf) {
        String path = conf.raw(KYUUBI_SPARK_HOME);
        if (path != null && !path.isBlank()) {
            Path dir = Path.of(path.trim()).toAbsolutePath().normalize();
            return "path-" + Integer.toHexString(dir.toString().hashCode());
        }
        return conf.get(ConfigKeys.SPARK_HOME);
    }

    /** The engine space version of a Spark engine for this configuration. */
    public static String spark(KitsuneConf conf) {
        return SPARK_ENGINE_PROTOCOL + "-" + sparkHomeName(conf);
    }
}
