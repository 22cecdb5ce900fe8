package kitsune.engine.spark;

import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Thrift session: its own SparkSession (spark.newSession(): own SQL conf, temp views and current database,
 * shared SparkContext and catalog), the variables the client set, and its open operations.
 */
final class EngineSession {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSession.class);
    private static final String SET_HIVECONF = "set:hiveconf:";
    private static final String SET_HIVEVAR = "set:hivevar:";
    private static final String USE_DATABASE = "use:database";

    private final UUID id = UUID.randomUUID();
    private final TSessionHandle handle = new TSessionHandle(Operation.handleId(id));
    private final String user;
    private final String connectionId;
    private final TProtocolVersion protocol;
    private final SparkSession spark;
    private final Map<String, String> variables = new ConcurrentHashMap<>();
    private final Map<UUID, Operation> operations = new ConcurrentHashMap<>();
    private volatile long lastAccessMillis = System.currentTimeMillis();

    EngineSession(String user, String connectionId, TProtocolVersion protocol, SparkSession spark) {
        this.user = user;
        this.connectionId = connectionId;
        this.protocol = protocol;
        this.spark = spark;
    }

    UUID id() { return id; }
    TSessionHandle handle() { return handle; }
    String user() { return user; }
    /** The connection this session lives and dies with, or null for a session a Kitsune server pools. */
    String connectionId() { return connectionId; }
    long lastAccessMillis() { return lastAccessMillis; }
    void touch() { lastAccessMillis = System.currentTimeMillis(); }

    /** Whether one of its operations still runs (or waits to). */
    boolean busy() {
        return operations.values().stream().anyMatch(op -> !op.isTerminal());
    }
    TProtocolVersion protocol() { return protocol; }
    SparkSession spark() { return spark; }
    Map<String, String> variables() { return variables; }

    /**
     * Applies OpenSession's configuration as HiveServer2 does: set:hiveconf:X and plain spark.* keys into the
     * session's SQL conf, set:hivevar:X as variables (also into the conf, where Spark's ${hivevar:X} substitution
     * reads them), and use:database last. Keys Spark refuses (static or core confs) are logged and skipped; a
     * database that does not exist fails the session, as in HiveServer2.
     */
    void applyConfiguration(Map<String, String> conf) {
        if (conf == null) return;
        String database = null;
        for (Map.Entry<String, String> e : conf.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (key.startsWith(SET_HIVECONF)) {
                setConf(key.substring(SET_HIVECONF.length()), value);
            } else if (key.startsWith(SET_HIVEVAR)) {
                String name = key.substring(SET_HIVEVAR.length());
                variables.put(name, value);
                setConf(name, value);
            } else if (key.equals(USE_DATABASE)) {
                database = value;
            } else if (key.startsWith("spark.")) {
                setConf(key, value);
            }
        }
        if (database != null && !database.isBlank() && !database.equalsIgnoreCase("default")) {
            spark.sql("USE `" + database.replace("`", "``") + "`");
        }
    }

    private void setConf(String key, String value) {
        try {
            spark.conf().set(key, value);
        } catch (Exception e) {
            LOG.warn("Session {}: ignoring {}={}: {}", id, key, value, SqlErrors.message(e));
        }
    }

    /** Values render in the session's time zone, which a client may change with SET. */
    ValueFormatter formatter() {
        return new ValueFormatter(ZoneId.of(spark.conf().get("spark.sql.session.timeZone")));
    }

    void addOperation(Operation op) {
        operations.put(op.id(), op);
    }

    void removeOperation(Operation op) {
        operations.remove(op.id());
    }

    /** Closes every operation still open; running statements are cancelled. */
    void close() {
        for (Operation op : operations.values()) {
            try {
                op.close();
            } catch (RuntimeException e) {
                LOG.warn("Session {}: closing operation {} failed: {}", id, op.id(), e.toString());
            }
        }
        operations.clear();
        releaseArtifacts(spark);
    }

    /**
     * Lets a closed session's SparkSession be collected. Spark 4.0.1's ArtifactManager registers a Cleaner whose
     * action refers to the manager itself, so the manager, and through it the session with its state (SQL conf,
     * function registry, catalog), stays reachable for the life of the engine (SPARK-54753, fixed after 4.0.1): an
     * engine serving many short sessions ran out of heap after some 5,800 of them. Closing the manager runs that
     * action now and deregisters it, which is what Spark does when it collects a session. Found by reflection: engine
     * homes of Spark versions without it run this code too.
     */
    static void releaseArtifacts(SparkSession spark) {
        Object manager;
        try {
            manager = spark.getClass().getMethod("artifactManager").invoke(spark);
        } catch (NoSuchMethodException e) {
            return; // a Spark without an artifact manager
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("No artifact manager to release: {}", e.toString());
            return;
        }
        if (manager instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Releasing a closed session's artifacts failed", e);
            }
        }
    }
}
