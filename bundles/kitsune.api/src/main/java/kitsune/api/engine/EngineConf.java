package kitsune.api.engine;

/** Keys of the configuration file a server hands to an engine process. */
public final class EngineConf {
    /** ZooKeeper connect string the engine registers in. */
    public static final String ZK_ADDRESSES = "kyuubi.ha.addresses";
    /** Full path of the engine space, e.g. /kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default. */
    public static final String ENGINE_SPACE = "kyuubi.ha.namespace";
    /** The launch's reference id, put into the engine's node name. */
    public static final String REF_ID = "kyuubi.ha.engine.ref.id";
    /** The version slot of the engine space, also put into the node name. */
    public static final String SPACE_VERSION = "kitsune.engine.space.version";
    /** Share level of the engine; CONNECTION engines stop when their session closes. */
    public static final String SHARE_LEVEL = "kyuubi.engine.share.level";
    /** The user the engine serves. */
    public static final String USER = "kitsune.engine.user";
    /** Engine work directory (warehouse, metastore, log). */
    public static final String WORK_DIR = "kitsune.engine.work.dir";
    /**
     * Attribute in an engine's node name: {@value #AUTH_PLAIN} when the engine takes only SASL PLAIN connections with
     * the shared engine secret (kyuubi.engine.security.enabled); absent for engines that take raw connections.
     */
    public static final String NODE_AUTH = "kitsune.engine.auth";
    public static final String AUTH_PLAIN = "PLAIN";

    private EngineConf() {
    }
}
