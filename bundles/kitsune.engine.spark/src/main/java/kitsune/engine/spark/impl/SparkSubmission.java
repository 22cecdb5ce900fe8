package kitsune.engine.spark.impl;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command that submits an engine through Spark's own submission: the home's {@code bin/spark-submit} when the
 * home is a Spark distribution (so that its conf/spark-env.sh, HADOOP_CONF_DIR and YARN_CONF_DIR apply as operators
 * expect), otherwise {@code org.apache.spark.deploy.SparkSubmit} run on the home's jars, with the class path and JVM
 * flags spark-submit's launcher would give it. The arguments are the same in both cases.
 *
 * @param master         spark.master: spark://, yarn, k8s://
 * @param deployMode     client or cluster
 * @param appName        spark.app.name
 * @param propertiesFile the engine's properties (spark.* and the engine settings under
 *                       {@code spark.kitsune.engine.setting.}), readable by the server's user only
 * @param jars           extra jars for the driver and the executors (--jars)
 * @param proxyUser      the user to submit for (--proxy-user), or null
 * @param applicationJar the engine jar (or a batch's application jar) as the driver fetches it
 * @param mainClass      the driver's main class: the engine's, or a batch application's
 * @param appArgs        the application's arguments (none for an engine)
 */
record SparkSubmission(String master, String deployMode, String appName, Path propertiesFile, List<String> jars,
        String proxyUser, String applicationJar, String mainClass, List<String> appArgs) {
    static final String SUBMIT_CLASS = "org.apache.spark.deploy.SparkSubmit";
    static final String CLIENT = "client";
    static final String CLUSTER = "cluster";

    SparkSubmission {
        appArgs = List.copyOf(appArgs);
    }

    /** An engine's submission: the engine's main class, no arguments. */
    SparkSubmission(String master, String deployMode, String appName, Path propertiesFile, List<String> jars,
            String proxyUser, String applicationJar) {
        this(master, deployMode, appName, propertiesFile, jars, proxyUser, applicationJar, EngineCommand.MAIN_CLASS,
                List.of());
    }

    /** spark.submit.deployMode as spark-submit reads it: client unless cluster. */
    static String deployMode(String value) {
        String mode = value == null || value.isBlank() ? CLIENT : value.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals(CLIENT) && !mode.equals(CLUSTER)) {
            throw new IllegalArgumentException("Invalid value for spark.submit.deployMode: '" + value
                    + "' (allowed: client, cluster)");
        }
        return mode;
    }

    /** True for the masters an engine runs on without a cluster: local, local[n], local[*], local[n,m]. */
    static boolean isLocal(String master) {
        return master == null || master.isBlank() || master.trim().startsWith("local");
    }

    boolean cluster() {
        return CLUSTER.equals(deployMode);
    }

    /** spark-submit's arguments, the application jar and the application's arguments last. */
    List<String> arguments() {
        List<String> a = new ArrayList<>();
        a.add("--master");
        a.add(master);
        a.add("--deploy-mode");
        a.add(deployMode);
        a.add("--class");
        a.add(mainClass);
        a.add("--name");
        a.add(appName);
        a.add("--properties-file");
        a.add(propertiesFile.toString());
        if (!jars.isEmpty()) {
            a.add("--jars");
            a.add(String.join(",", jars));
        }
        if (proxyUser != null) {
            a.add("--proxy-user");
            a.add(proxyUser);
        }
        a.add(applicationJar);
        a.addAll(appArgs);
        return a;
    }

    /** A home that is a Spark distribution carries its own submission script. */
    static Path distributionScript(Path home) {
        Path script = home.resolve("bin").resolve("spark-submit");
        return Files.isExecutable(script) && Files.isRegularFile(home.resolve("RELEASE")) ? script : null;
    }

    /**
     * The whole command line: {@code <home>/bin/spark-submit <arguments>} for a distribution, else
     * {@code java <module flags> -Xmx<driver memory> -cp <driver class path>:<home>/jars/*:<conf dirs> SparkSubmit
     * <arguments>}. In client mode that JVM becomes the engine's driver, hence memory and module flags.
     *
     * @param sparkConf the engine's spark.* settings (driver memory, extra class path and Java options)
     * @param env       the engine's environment (HADOOP_CONF_DIR, YARN_CONF_DIR, SPARK_CONF_DIR)
     */
    List<String> command(Path home, Path java, List<String> moduleFlags, Map<String, String> sparkConf,
            Map<String, String> env) {
        List<String> cmd = new ArrayList<>();
        Path script = distributionScript(home);
        if (script != null) {
            cmd.add(script.toString());
            cmd.addAll(arguments());
            return cmd;
        }
        cmd.add(java.toString());
        cmd.addAll(moduleFlags);
        cmd.add("-Xmx" + EngineCommand.jvmMemory(sparkConf.getOrDefault("spark.driver.memory", "1g")));
        String javaOptions = sparkConf.getOrDefault("spark.driver.extraJavaOptions", "").trim();
        cmd.addAll(EngineCommand.splitOptions(javaOptions));
        List<String> cp = new ArrayList<>();
        String extra = sparkConf.getOrDefault("spark.driver.extraClassPath", "").trim();
        if (!extra.isEmpty()) cp.add(extra);
        cp.add(home.resolve("jars").resolve("*").toString());
        // as Spark's launcher does: the configuration directories are on the class path (core-site.xml, yarn-site.xml)
        for (String dir : List.of("SPARK_CONF_DIR", "HADOOP_CONF_DIR", "YARN_CONF_DIR")) {
            String value = env.get(dir);
            if (value != null && !value.isBlank()) cp.add(value);
        }
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add(SUBMIT_CLASS);
        cmd.addAll(arguments());
        return cmd;
    }
}
