package kitsune.engine.spark;

import java.nio.file.Path;

/**
 * Entry point of the engine process:
 * {@code java <Spark's JavaModuleOptions> -cp kitsune-spark-engine.jar:<home>/jars/* kitsune.engine.spark.SparkEngineMain <engine.properties>}.
 * or submitted through spark-submit with {@code --class} this class and no arguments.
 * Exits 0 after a normal stop (idle, drained, CONNECTION session closed), 1 when the engine could not start.
 */
public final class SparkEngineMain {
    /** The log4j2 configuration inside this jar; Spark's classes at WARN, Kitsune's at INFO, all to stderr. */
    static final String LOG_CONFIG = "kitsune-spark-engine-log4j2.properties";

    private SparkEngineMain() {
    }

    public static void main(String[] args) {
        if (args.length > 1) {
            System.err.println("Usage: " + SparkEngineMain.class.getName() + " [<engine.properties>]");
            System.exit(2);
        }
        if (args.length == 1) {
            // started directly by the server: before any logger exists; a -Dlog4j2.configurationFile wins
            if (System.getProperty("log4j2.configurationFile") == null) {
                System.setProperty("log4j2.configurationFile", LOG_CONFIG);
            }
            System.exit(SparkEngine.run(Path.of(args[0])));
        }
        // submitted through spark-submit (client or cluster mode): the settings are in the system properties, and
        // Spark's logging is already set up as the engine home configures it
        System.exit(SparkEngine.runSubmitted());
    }
}
