package kitsune.api.conf;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's maxima for what a session or batch may ask of the engine or application it launches: memory
 * (kitsune.session.engine.memory.max), cores (kitsune.session.engine.cores.max), executors
 * (kitsune.session.engine.executors.max) and, for sessions, kyuubi.session.engine.idle.timeout
 * (kitsune.session.engine.idle.timeout.max). Only what a client asks for is checked: the operator's own value for a
 * key (the server's, or the user's {@code ___user___} default) is always allowed, so the maximum for a key is the
 * larger of the cap and that value. One rule for sessions (JDBC, REST) and batches alike.
 */
public final class EngineMaxima {
    private static final long MIB = 1L << 20;
    /** Memory keys and the unit Spark gives a bare number in each. */
    static final Map<String, Long> MEMORY_KEYS = memoryKeys();
    static final List<String> CORE_KEYS = List.of("spark.driver.cores", "spark.executor.cores", "spark.yarn.am.cores");
    static final List<String> EXECUTOR_KEYS = List.of("spark.executor.instances",
            "spark.dynamicAllocation.maxExecutors", "spark.dynamicAllocation.initialExecutors",
            "spark.dynamicAllocation.minExecutors");
    static final String DYNAMIC_ALLOCATION = "spark.dynamicAllocation.enabled";
    static final String MAX_EXECUTORS = "spark.dynamicAllocation.maxExecutors";
    private static final ValueType<Integer> COUNT = ValueType.intRange(0, Integer.MAX_VALUE);

    private EngineMaxima() {
    }

    private static Map<String, Long> memoryKeys() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String k : List.of("spark.driver.memory", "spark.executor.memory", "spark.driver.memoryOverhead",
                "spark.executor.memoryOverhead", "spark.yarn.driver.memoryOverhead",
                "spark.yarn.executor.memoryOverhead", "spark.yarn.am.memory", "spark.yarn.am.memoryOverhead",
                "spark.executor.pyspark.memory", "spark.kubernetes.driver.memoryOverhead",
                "spark.kubernetes.executor.memoryOverhead")) {
            m.put(k, MIB);
        }
        m.put("spark.memory.offHeap.size", 1L); // Spark reads a bare number here as bytes
        return Map.copyOf(m);
    }

    /** Whether the key is one these maxima cover (without its set:hiveconf: scope). */
    public static boolean covers(String key) {
        return MEMORY_KEYS.containsKey(key) || CORE_KEYS.contains(key) || EXECUTOR_KEYS.contains(key)
                || key.equals(DYNAMIC_ALLOCATION) || key.equals(ConfigKeys.ENGINE_IDLE_TIMEOUT.name());
    }

    /** Refuses a kyuubi.session.engine.idle.timeout longer than the operator allows (see the class comment). */
    public static void checkIdleTimeout(KitsuneConf operator, String value) {
        String key = ConfigKeys.ENGINE_IDLE_TIMEOUT.name();
        String capKey = ConfigKeys.SESSION_ENGINE_IDLE_TIMEOUT_MAX.name();
        Duration own = operator.get(ConfigKeys.ENGINE_IDLE_TIMEOUT);
        Duration cap = operator.get(ConfigKeys.SESSION_ENGINE_IDLE_TIMEOUT_MAX);
        Duration max = cap == null || cap.compareTo(own) < 0 ? own : cap;
        Duration asked = ConfigKeys.ENGINE_IDLE_TIMEOUT.type().parse(key, value);
        if (asked.compareTo(max) > 0) {
            throw new ConfigException(key, key + "=" + shown(value) + " is longer than this server allows (" + max
                    + ", " + capKey + (cap == null ? " unset: the server's own " + key : "") + "); ask for at most "
                    + max + ", or ask the operator to raise " + capKey);
        }
    }

    /**
     * Refuses memory, cores or executors over the operator's maxima, an unreadable value of those keys, and
     * dynamic allocation turned on by the client without a bound on its executors.
     *
     * @param operator the server configuration as this user sees it
     * @param asked    the session's or batch's own settings, keys without their scope
     * @throws ConfigException one line naming the key, the value, the maximum and the fix
     */
    public static void checkResources(KitsuneConf operator, Map<String, String> asked) {
        for (Map.Entry<String, String> e : asked.entrySet()) {
            checkResource(operator, e.getKey(), e.getValue());
        }
        checkDynamicAllocation(operator, asked);
    }

    /**
     * Dynamic allocation turned on by the client without a bound on executors (and none set by the operator) asks
     * for unbounded executors: refused. The keys one by one are {@link #checkResource}'s.
     */
    public static void checkDynamicAllocation(KitsuneConf operator, Map<String, String> asked) {
        String enabled = asked.get(DYNAMIC_ALLOCATION);
        if (enabled != null && enabled.trim().equalsIgnoreCase("true")
                && !"true".equalsIgnoreCase(trim(operator.raw(DYNAMIC_ALLOCATION)))
                && asked.get(MAX_EXECUTORS) == null && operator.raw(MAX_EXECUTORS) == null) {
            int max = operator.get(ConfigKeys.SESSION_ENGINE_EXECUTORS_MAX);
            String capKey = ConfigKeys.SESSION_ENGINE_EXECUTORS_MAX.name();
            throw new ConfigException(MAX_EXECUTORS, DYNAMIC_ALLOCATION + "=true without " + MAX_EXECUTORS
                    + " asks for unbounded executors, over this server's maximum of " + max + " (" + capKey
                    + "); also set " + MAX_EXECUTORS + " to at most " + max);
        }
    }

    /** Checks one setting (key without its scope); keys these maxima do not cover pass. */
    public static void checkResource(KitsuneConf operator, String key, String value) {
        String raw = value == null ? "" : value.trim();
        String v = shown(value);
        Long unit = MEMORY_KEYS.get(key);
        if (unit != null) {
            ValueType<Long> type = ValueType.size(unit);
            long cap = operator.get(ConfigKeys.SESSION_ENGINE_MEMORY_MAX);
            long max = Math.max(cap, own(operator, key, type));
            long asked = parse(key, raw, v, type, formatSize(max), ConfigKeys.SESSION_ENGINE_MEMORY_MAX.name());
            if (asked > max) over(key, v, formatSize(max), ConfigKeys.SESSION_ENGINE_MEMORY_MAX.name());
        } else if (CORE_KEYS.contains(key)) {
            capCount(operator, key, raw, v, ConfigKeys.SESSION_ENGINE_CORES_MAX);
        } else if (EXECUTOR_KEYS.contains(key)) {
            capCount(operator, key, raw, v, ConfigKeys.SESSION_ENGINE_EXECUTORS_MAX);
        }
    }

    private static void capCount(KitsuneConf operator, String key, String raw, String v,
            ConfigKey<Integer> capKey) {
        long max = Math.max(operator.get(capKey), own(operator, key, COUNT));
        long asked = parse(key, raw, v, COUNT, Long.toString(max), capKey.name());
        if (asked > max) over(key, v, Long.toString(max), capKey.name());
    }

    private static <T extends Number> long parse(String key, String raw, String v, ValueType<T> type, String max,
            String capKey) {
        try {
            return type.parse(key, raw).longValue();
        } catch (ConfigException e) {
            throw new ConfigException(key, "Invalid value for " + key + ": '" + v + "' (allowed: " + type.allowed()
                    + ", at most " + max + " per " + capKey + ")");
        }
    }

    private static void over(String key, String v, String max, String capKey) {
        throw new ConfigException(key, key + "=" + v + " is over this server's maximum of " + max + " (" + capKey
                + "); ask for at most " + max + ", or ask the operator to raise " + capKey);
    }

    /** The operator's own value for the key, or 0 when it has none or one that does not parse. */
    private static <T extends Number> long own(KitsuneConf operator, String key, ValueType<T> type) {
        String raw = operator.raw(key);
        if (raw == null) return 0;
        try {
            return type.parse(key, raw).longValue();
        } catch (ConfigException e) {
            return 0;
        }
    }

    /**
     * A client's value as it may appear in an error message and log line: trimmed, control and line-separator
     * characters escaped, at most 64 characters (a value that long is refused anyway).
     */
    static String shown(String value) {
        String v = value == null ? "" : value.trim();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length() && i < 64; i++) {
            char c = v.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (v.length() > 64) b.append("...");
        return b.toString();
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    /** A size as Spark writes it: the largest unit that divides it (32g, 1536m, 100b). */
    static String formatSize(long bytes) {
        String[] units = {"p", "t", "g", "m", "k"};
        for (int i = 0; i < units.length; i++) {
            long u = 1L << (50 - 10 * i);
            if (bytes != 0 && bytes % u == 0) return (bytes / u) + units[i];
        }
        return bytes + "b";
    }

}
