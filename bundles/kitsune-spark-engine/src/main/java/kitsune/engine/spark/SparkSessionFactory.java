package kitsune.engine.spark;

import java.util.Map;

import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import kitsune.internal.threads.NamedThreads;

/**
 * Builds the engine's root SparkSession from the settings, and warms it up in the background once the engine is
 * registered ({@link #warmUp}), so that the first client queries pay as little as possible for the catalog, parser,
 * analyser and codegen start-up (seconds on a cold JVM) without making the engine wait for them.
 */
final class SparkSessionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSessionFactory.class);

    private SparkSessionFactory() {
    }

    /** What SparkSession.Builder.enableHiveSupport checks: spark-hive and Hive's own classes are present. */
    static boolean hiveAvailable() {
        try {
            ClassLoader cl = SparkSessionFactory.class.getClassLoader();
            Class.forName("org.apache.spark.sql.hive.HiveSessionStateBuilder", false, cl);
            Class.forName("org.apache.hadoop.hive.conf.HiveConf", false, cl);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static SparkSession create(EngineSettings settings) {
        boolean hive = hiveAvailable();
        Map<String, String> conf = settings.sparkConf(hive);
        if (hive && "hive".equals(conf.get("spark.sql.catalogImplementation"))) {
            // Derby reads these system properties once, when it loads: the embedded metastore and its log stay in
            // the engine's work dir instead of the process's current directory
            System.setProperty("derby.system.home", settings.workDir().toString());
            System.setProperty("derby.stream.error.file", settings.workDir().resolve("derby.log").toString());
        }
        long t0 = System.nanoTime();
        SparkSession.Builder builder = SparkSession.builder();
        conf.forEach(builder::config);
        SparkSession spark = builder.getOrCreate();
        LOG.info("Kitsune Spark engine: SparkSession ready in {} ms (Spark {}, {}, catalog {})",
                (System.nanoTime() - t0) / 1_000_000, spark.version(), conf.get("spark.master"),
                spark.conf().get("spark.sql.catalogImplementation"));
        return spark;
    }

    /**
     * Opens the catalog (with Hive: creates or opens the Derby metastore, seconds of work) and runs a first query, so
     * that the first user queries do not pay for it. Started after the engine registered, beside the first session:
     * queries that need the catalog meanwhile wait for it inside Spark. A failure is logged with its cause; queries
     * that need the catalog then report it themselves, and the rest keeps working.
     */
    static Thread warmUp(SparkSession spark, Runnable then) {
        Thread t = NamedThreads.daemon("kitsune-engine-warm-up").newThread(() -> {
            long t1 = System.nanoTime();
            try {
                spark.sql("SHOW DATABASES").collectAsList();
                spark.range(1).collectAsList();
                LOG.info("Kitsune Spark engine: catalog opened and query path warmed up in {} ms",
                        (System.nanoTime() - t1) / 1_000_000);
                then.run();
            } catch (RuntimeException e) {
                LOG.error("Kitsune Spark engine: the catalog could not be opened; queries that need it will fail: {}",
                        SqlErrors.message(e), e);
            }
        });
        t.start();
        return t;
    }
}
