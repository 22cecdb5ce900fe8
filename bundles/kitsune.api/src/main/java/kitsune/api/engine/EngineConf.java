package kitsune.api.engine;

import kitsune.api.conf.ConfigKeys;

/** Keys of the configuration file a server hands to an engine process. */
public final class EngineConf {
    /** ZooKeeper connect string the engine registers in. */
    public static final String ZK_ADDRESSES = ConfigKeys.HA_ADDRESSES.name();
    /** Full path of the engine space, e.g. /kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default. */
    public static final String ENGINE_SPACE = ConfigKeys.HA_NAMESPACE.name();
    /** The launch's reference id, put into the engine's node name. */
    public static final String REF_ID = "kyuubi.ha.engine.ref.id";
    /** The version slot of the engine space, also put into the node name. */
    public static final String SPACE_VERSION = "kitsune.engine.space.version";
    /** Share level of the engine; CONNECTION engines stop when their session closes. */
    public static final String SHARE_LEVEL = ConfigKeys.ENGINE_SHARE_LEVEL.name();
    /** The user the engine serves. */
    public static final String USER = "kitsune.engine.user";
    /**
     * Engine work directory (warehouse, metastore, log, {@link #WORK_DIR_LOCK}) on the host the engine runs on; absent
     * for an engine whose driver runs in a cluster (it then works in the directory the cluster gives it).
     */
    public static final String WORK_DIR = "kitsune.engine.work.dir";
    /**
     * File in the work directory that a running engine keeps locked (an OS file lock, released when its process ends):
     * it tells its provider that an engine still runs there even when its node is not in ZooKeeper (yet).
     */
    public static final String WORK_DIR_LOCK = "engine.lock";
    /**
     * The engine space's own ZooKeeper digest identity ({@code engine-<hash>:<password>}), derived by the server
     * (kitsune.api.registry.ZkAuth#engineIdentity); never the servers' digest. Only in the owner-only settings file.
     */
    public static final String ZK_ENGINE_DIGEST = "kitsune.engine.zookeeper.digest";
    /**
     * The ACL the engine gives its own node, as the server computed it: comma-separated {@code perms:scheme:id}
     * entries (perms as ZooKeeper's bit mask); absent: no ACLs.
     */
    public static final String ZK_ENGINE_NODE_ACL = "kitsune.engine.zookeeper.acl";
    /**
     * Prefix under which engine settings travel as Spark configuration when an engine is submitted through Spark's
     * submission (spark-submit passes on only spark.* keys): {@code spark.kitsune.engine.setting.<key>}.
     */
    public static final String SUBMITTED_SETTING_PREFIX = "spark.kitsune.engine.setting.";

    /** Node attribute: the engine's Spark application id (Kyuubi's name). */
    public static final String NODE_APP_ID = "kyuubi.engine.id";
    /** Node attribute: the Spark master the engine runs on (in the node's data). */
    public static final String NODE_MASTER = "kitsune.engine.master";
    /** Node attribute: client or cluster (in the node's data). */
    public static final String NODE_DEPLOY_MODE = "kitsune.engine.deploy.mode";
    /** Node attribute: the standalone cluster's driver id (driver-...) of a cluster-mode engine (in the node's data). */
    public static final String NODE_DRIVER_ID = "kitsune.engine.driver.id";
    /**
     * Attribute in an engine's node name: what a connection must do to log in. {@value #AUTH_HMAC}: prove that it
     * knows the shared engine secret in the challenge both sides answer (kitsune.thrift.EngineChallenge), engine
     * first; absent: nothing (raw connections, kyuubi.engine.security.enabled=false). {@value #AUTH_PLAIN} is what
     * engines of older Kitsune versions said when they wanted the secret itself in SASL PLAIN: servers refuse to
     * send it, so that a node planted in an engine space cannot collect it.
     */
    public static final String NODE_AUTH = "kitsune.engine.auth";
    public static final String AUTH_HMAC = "HMAC";
    public static final String AUTH_PLAIN = "PLAIN";
    /**
     * OpenSession configuration key a Kitsune server sends: the session is not bound to the connection it was opened
     * on (the server shares a few connections among all its sessions there) and ends with CloseSession or the
     * engine's kyuubi.session.idle.timeout, not when a connection drops.
     */
    public static final String SESSION_POOLED = "kitsune.session.pooled";

    /**
     * OpenSession response configuration key of an engine whose FetchResults sets {@code hasMoreRows} exactly when it
     * is false (the result is exhausted): a Kitsune server then answers a client's next, empty fetch of that result
     * itself instead of asking the engine (clients such as the Hive driver always make it). An engine without it
     * (HiveServer2's convention: always false) is never trusted with it. Not passed on to clients.
     */
    public static final String RESULT_END_EXACT = "kitsune.engine.result.end.exact";

    /**
     * OpenSession response configuration key of an engine that can answer a short statement's end with its
     * ExecuteStatement reply ({@link #INLINE_WAIT_MS}); not passed on to clients.
     */
    public static final String INLINE_RESULTS = "kitsune.engine.inline.results";

    /**
     * ExecuteStatement confOverlay key a Kitsune server sends to an engine that said {@link #INLINE_RESULTS}: wait up
     * to that many milliseconds for the statement to end, and if it ended with a whole result of at most
     * {@link #INLINE_ROWS} rows held in the driver, put its status, schema and rows in the reply (see
     * kitsune.thrift.InlineResults). Not a setting: the engine takes both keys out of the overlay.
     */
    public static final String INLINE_WAIT_MS = "kitsune.inline.wait.ms";

    /** The most rows of a result answered with its ExecuteStatement ({@link #INLINE_WAIT_MS}). */
    public static final String INLINE_ROWS = "kitsune.inline.rows";

    /**
     * ExecuteStatement confOverlay key a Kitsune server sends with a statement it accepted while the session's engine
     * was being found or launched: the operation id (a UUID) the server already gave the client, which the engine
     * uses for the statement's handle. Not a setting: the engine takes it out of the overlay, and refuses an id in use.
     */
    public static final String OPERATION_ID = "kitsune.operation.id";

    /**
     * An engine node's application as operators read it: the Spark application id, with the standalone driver id of
     * a cluster-mode engine in brackets; empty when the node says neither.
     */
    public static String application(java.util.Map<String, String> nodeAttributes) {
        String app = nodeAttributes.getOrDefault(NODE_APP_ID, "");
        String driver = nodeAttributes.get(NODE_DRIVER_ID);
        return driver == null ? app : app + " (" + driver + ")";
    }

    /** An engine node's master with its deploy mode in brackets ({@code yarn (cluster)}); empty when unknown. */
    public static String master(java.util.Map<String, String> nodeAttributes) {
        String master = nodeAttributes.getOrDefault(NODE_MASTER, "");
        String mode = nodeAttributes.get(NODE_DEPLOY_MODE);
        return mode == null ? master : master + " (" + mode + ")";
    }

    private EngineConf() {
    }
}
