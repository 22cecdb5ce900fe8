package kitsune.engine.spark;

import java.util.Map;

import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the engine's root SparkSession from the settings and pre-warms it, so that the first client query does
 * not pay for parser, analyser, codegen and metastore start-up (seconds on a cold JVM).
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
        long t1 = System.nanoTime();
        spark.sql("SHOW DATABASES").collectAsList();
        spark.sql("SELECT 1").collectAsList();
        LOG.info("Kitsune Spark engine: pre-warmed in {} ms", (System.nanoTime() - t1) / 1_000_000);
        return spark;
    }
}
