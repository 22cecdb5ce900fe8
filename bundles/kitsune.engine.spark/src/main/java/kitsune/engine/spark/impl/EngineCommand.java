package kitsune.engine.spark.impl;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line of one engine process: {@code java <module flags> -Xmx<driver memory> <spark.driver.extraJavaOptions>
 * -cp <engine jar>:<extra jars>:<spark.driver.extraClassPath>:<home>/jars/* kitsune.engine.spark.SparkEngineMain
 * <engine.properties>}, as spark-submit would start the driver in client mode.
 */
final class EngineCommand {
    static final String MAIN_CLASS = "kitsune.engine.spark.SparkEngineMain";

    private EngineCommand() {
    }

    /**
     * @param driverJavaOptions {@code spark.driver.extraJavaOptions} (may be empty)
     * @param driverClassPath   {@code spark.driver.extraClassPath} (may be empty)
     */
    static List<String> build(Path java, List<String> moduleFlags, String driverMemory, String driverJavaOptions,
            String driverClassPath, Path engineJar, List<String> extraJars, Path homeJars, Path propertiesFile) {
        return build(java, moduleFlags, driverMemory, driverJavaOptions, driverClassPath, engineJar, extraJars, homeJars,
                List.of(), propertiesFile);
    }

    /**
     * @param confDirs configuration directories after the home's jars, as Spark's launcher puts them (SPARK_CONF_DIR,
     *                 HADOOP_CONF_DIR, YARN_CONF_DIR: core-site.xml, hdfs-site.xml)
     */
    static List<String> build(Path java, List<String> moduleFlags, String driverMemory, String driverJavaOptions,
            String driverClassPath, Path engineJar, List<String> extraJars, Path homeJars, List<String> confDirs,
            Path propertiesFile) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(moduleFlags);
        cmd.add("-Xmx" + jvmMemory(driverMemory));
        cmd.addAll(splitOptions(driverJavaOptions));
        List<String> cp = new ArrayList<>();
        cp.add(engineJar.toString());
        cp.addAll(extraJars);
        if (!driverClassPath.isBlank()) cp.add(driverClassPath.trim());
        cp.add(homeJars.resolve("*").toString());
        cp.addAll(confDirs);
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add(MAIN_CLASS);
        cmd.add(propertiesFile.toString());
        return cmd;
    }

    /** The configuration directories an engine's environment names, in the order Spark's launcher adds them. */
    static List<String> confDirs(java.util.Map<String, String> env) {
        List<String> dirs = new ArrayList<>();
        for (String dir : List.of("SPARK_CONF_DIR", "HADOOP_CONF_DIR", "YARN_CONF_DIR")) {
            String value = env.get(dir);
            if (value != null && !value.isBlank()) dirs.add(value);
        }
        return dirs;
    }

    /**
     * Java options as Spark splits {@code spark.driver.extraJavaOptions}: on white space, except inside single or
     * double quotes (which are removed), a backslash escaping the next character.
     */
    static List<String> splitOptions(String options) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < options.length(); i++) {
            char ch = options.charAt(i);
            if (ch == '\\' && quote != '\'' && i + 1 < options.length()) {
                current.append(options.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                if (ch == quote) quote = 0;
                else current.append(ch);
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                inWord = true;
            } else if (Character.isWhitespace(ch)) {
                if (inWord) out.add(current.toString());
                current.setLength(0);
                inWord = false;
            } else {
                current.append(ch);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("Invalid value for spark.driver.extraJavaOptions: unclosed quote in '"
                    + options + "'");
        }
        if (inWord) out.add(current.toString());
        return out;
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
