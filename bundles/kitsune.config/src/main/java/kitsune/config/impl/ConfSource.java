package kitsune.config.impl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import kitsune.api.conf.ConfigException;

/**
 * Reads kyuubi-defaults.conf the way Kyuubi does: java.util.Properties format, values trimmed, on top of the JVM
 * system properties named kyuubi.*, kitsune.* and spark.* (the file wins).
 */
final class ConfSource {
    static final String FILE_NAME = "kyuubi-defaults.conf";
    static final String CONF_DIR_ENV = "KITSUNE_CONF_DIR";

    /** Framework properties (set by the launcher) that are published as keys of the same name. */
    static final String PROP_HOME = "kitsune.home";
    static final String PROP_CONF_DIR = "kitsune.conf.dir";
    static final String PROP_WORK_DIR = "kitsune.work.dir";
    static final String PROP_LOG_DIR = "kitsune.log.dir";
    static final Set<String> FRAMEWORK_KEYS = Set.of(PROP_HOME, PROP_CONF_DIR, PROP_WORK_DIR, PROP_LOG_DIR);

    /** One read of the file: its bytes' digest and the parsed, trimmed values. */
    record Content(String digest, Map<String, String> values) {
    }

    private final Path confDir;
    private final Path file;

    ConfSource(Path confDir) {
        this.confDir = confDir;
        this.file = confDir.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    Path confDir() {
        return confDir;
    }

    /**
     * Reads and parses the file.
     *
     * @throws ConfigException (key null) naming the file when it is missing, unreadable or malformed
     */
    Content read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(null, "Configuration file " + file + " does not exist ("
                    + CONF_DIR_ENV + "=" + confDir + ")");
        } catch (IOException | SecurityException e) {
            if (!Files.exists(file)) {
                throw new ConfigException(null, "Configuration file " + file + " does not exist ("
                        + CONF_DIR_ENV + "=" + confDir + ")");
            }
            throw new ConfigException(null, "Configuration file " + file + " cannot be read: " + describe(e)
                    + " (" + CONF_DIR_ENV + "=" + confDir + ")");
        }
        try {
            return new Content(digest(bytes), parse(bytes));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(null, "Configuration file " + file + " cannot be parsed: " + describe(e));
        }
    }

    /** Parses Properties text (UTF-8, as Kyuubi reads it); keys and values trimmed, empty keys dropped. */
    static Map<String, String> parse(byte[] bytes) throws IOException {
        Properties p = new Properties();
        try (InputStream in = new ByteArrayInputStream(bytes);
             InputStreamReader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            String key = k.trim();
            if (!key.isEmpty()) m.put(key, p.getProperty(k).trim());
        }
        return m;
    }

    /**
     * The JVM system properties that are configuration: kyuubi.*, kitsune.* and spark.*, minus the framework
     * properties this bundle publishes itself.
     */
    static Map<String, String> systemDefaults(Properties sys) {
        Map<String, String> m = new TreeMap<>();
        for (String k : sys.stringPropertyNames()) {
            if ((k.startsWith("kyuubi.") || k.startsWith("kitsune.") || k.startsWith("spark."))
                    && !FRAMEWORK_KEYS.contains(k)) {
                m.put(k, sys.getProperty(k).trim());
            }
        }
        return m;
    }

    /** System defaults overlaid by the file: the file wins. */
    static Map<String, String> merge(Map<String, String> systemDefaults, Map<String, String> file) {
        Map<String, String> m = new TreeMap<>(systemDefaults);
        m.putAll(file);
        return m;
    }

    static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
