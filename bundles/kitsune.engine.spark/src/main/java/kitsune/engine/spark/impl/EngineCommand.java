package kitsune.engine.spark.impl;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line of one engine process: {@code java <module flags> -Xmx<driver memory> -cp <engine jar>:<extra
 * jars>:<home>/jars/* kitsune.engine.spark.SparkEngineMain <engine.properties>}.
 */
final class EngineCommand {
    static final String MAIN_CLASS = "kitsune.engine.spark.SparkEngineMain";

    private EngineCommand() {
    }

    static List<String> build(Path java, List<String> moduleFlags, String driverMemory, Path engineJar,
            List<String> extraJars, Path homeJars, Path propertiesFile) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(moduleFlags);
        cmd.add("-Xmx" + jvmMemory(driverMemory));
        List<String> cp = new ArrayList<>();
        cp.add(engineJar.toString());
        cp.addAll(extraJars);
        cp.add(homeJars.resolve("*").toString());
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add(MAIN_CLASS);
        cmd.add(propertiesFile.toString());
        return cmd;
    }

    /** Spark's memory strings (1g, 512m, 2048) as a JVM -Xmx value. */
    static String jvmMemory(String sparkMemory) {
        String m = sparkMemory.trim().toLowerCase(Locale.ROOT);
        if (m.matches("\\d+")) return m + "m"; // Spark reads a bare number as MiB
        if (m.matches("\\d+[kmgt]b?")) return m.endsWith("b") ? m.substring(0, m.length() - 1) : m;
        throw new IllegalArgumentException("Invalid value for spark.driver.memory: '" + sparkMemory
                + "' (allowed: a size like 1g or 512m)");
    }
}
