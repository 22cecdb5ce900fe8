package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineSpaceVersions;

/**
 * The engine homes an operator allows (kitsune.engine.spark.homes) and the choice among them that a configuration
 * makes (kitsune.engine.spark.home, or Kyuubi's kyuubi.engineEnv.SPARK_HOME as a server-wide path). A home is a
 * directory with jars/: one the build assembles from Maven Central, or a Spark distribution, whose
 * conf/spark-defaults.conf then applies under the server's spark.* keys.
 */
final class EngineHomes {
    /** A chosen home: its name (part of the engine space) and directory. */
    record Home(String name, Path dir) {
    }

    private final Map<String, Path> homes;

    private EngineHomes(Map<String, Path> homes) {
        this.homes = Collections.unmodifiableMap(homes);
    }

    /** Parses "name=path,name=path"; relative paths resolve against kitsuneHome. */
    static EngineHomes parse(String spec, Path kitsuneHome) {
        Map<String, Path> m = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) continue;
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1) {
                throw new ConfigException(ConfigKeys.SPARK_HOMES.name(), "Invalid value for "
                        + ConfigKeys.SPARK_HOMES.name() + ": '" + e + "' (allowed: name=path pairs separated by commas)");
            }
            String name = e.substring(0, eq).trim();
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new ConfigException(ConfigKeys.SPARK_HOMES.name(), "Invalid engine home name in "
                        + ConfigKeys.SPARK_HOMES.name() + ": '" + name + "' (allowed: letters, digits, '.', '_', '-')");
            }
            m.put(name, kitsuneHome.resolve(e.substring(eq + 1).trim()).normalize());
        }
        return new EngineHomes(m);
    }

    Map<String, Path> all() {
        return homes;
    }

    /** The home this configuration asks for; a name not listed is refused with the list of allowed names. */
    Home choose(KitsuneConf conf) throws EngineException {
        String sparkHomePath = conf.raw(EngineSpaceVersions.KYUUBI_SPARK_HOME);
        if (sparkHomePath != null && !sparkHomePath.isBlank()) {
            Path dir = Path.of(sparkHomePath.trim()).toAbsolutePath().normalize();
            return new Home(EngineSpaceVersions.sparkHomeName(conf), dir);
        }
        String name = conf.get(ConfigKeys.SPARK_HOME);
        Path dir = homes.get(name);
        if (dir == null) {
            throw new EngineException("Engine home '" + name + "' (" + ConfigKeys.SPARK_HOME.name()
                    + ") is not allowed; allowed: " + String.join(", ", homes.keySet()));
        }
        return new Home(name, dir);
    }

    /**
     * The spark.* entries of the home's conf/spark-defaults.conf (a Spark distribution has one; spark-submit reads it
     * the same way, as a properties file); empty when there is none. An unreadable file is an error, not silence.
     */
    static Properties sparkDefaults(Home home) throws IOException {
        Properties defaults = new Properties();
        Path file = home.dir().resolve("conf").resolve("spark-defaults.conf");
        if (!Files.isRegularFile(file)) return defaults;
        Properties all = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            all.load(in);
        }
        for (String key : all.stringPropertyNames()) {
            if (key.startsWith("spark.")) defaults.setProperty(key, all.getProperty(key).trim());
        }
        return defaults;
    }

    /** The jars directory of a home: a Maven-assembled home or a Spark distribution both have one. */
    static Path jarsDir(Home home) throws EngineException {
        Path jars = home.dir().resolve("jars");
        if (!Files.isDirectory(jars)) {
            throw new EngineException("Engine home '" + home.name() + "' at " + home.dir()
                    + " has no jars/ directory (was the build run? 'mvn -DskipTests install' assembles it)");
        }
        return jars;
    }
}
