package kitsune.api.conf;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/** How a configuration value is parsed; each type names what it allows when a value is refused. */
public abstract class ValueType<T> {
    private final String allowed;

    protected ValueType(String allowed) {
        this.allowed = allowed;
    }

    /** What a valid value looks like, for error messages and the configuration reference. */
    public String allowed() {
        return allowed;
    }

    /** Parses a trimmed raw value, or throws IllegalArgumentException. */
    protected abstract T parseValue(String raw);

    public final T parse(String key, String raw) {
        String v = raw == null ? "" : raw.trim();
        try {
            return parseValue(v);
        } catch (RuntimeException e) {
            throw new ConfigException(key, "Invalid value for " + key + ": '" + v + "' (allowed: " + allowed + ")");
        }
    }

    public static final ValueType<String> STRING = new ValueType<>("any text") {
        @Override protected String parseValue(String raw) { return raw; }
    };

    public static final ValueType<Boolean> BOOLEAN = new ValueType<>("true or false") {
        @Override protected Boolean parseValue(String raw) {
            if (raw.equalsIgnoreCase("true")) return Boolean.TRUE;
            if (raw.equalsIgnoreCase("false")) return Boolean.FALSE;
            throw new IllegalArgumentException(raw);
        }
    };

    public static ValueType<Integer> intRange(int min, int max) {
        return new ValueType<>("an integer from " + min + " to " + max) {
            @Override protected Integer parseValue(String raw) {
                int i = Integer.parseInt(raw);
                if (i < min || i > max) throw new IllegalArgumentException(raw);
                return i;
            }
        };
    }

    /** A TCP port; 0 means "pick a free one". Ports 1..1023 are refused as Kyuubi does. */
    public static final ValueType<Integer> PORT = new ValueType<>("0 (a free port) or 1024 to 65535") {
        @Override protected Integer parseValue(String raw) {
            int i = Integer.parseInt(raw);
            if (i != 0 && (i < 1024 || i > 65535)) throw new IllegalArgumentException(raw);
            return i;
        }
    };

    /** A whole number (64 bits, may be negative). */
    public static final ValueType<Long> LONG = new ValueType<>("a whole number") {
        @Override protected Long parseValue(String raw) {
            return Long.parseLong(raw);
        }
    };

    /** Milliseconds ("60000") or an ISO-8601 duration ("PT1M", "P1D"), never negative. */
    public static final ValueType<Duration> DURATION =
            new ValueType<>("milliseconds like 60000 or an ISO-8601 duration like PT30M") {
        @Override protected Duration parseValue(String raw) {
            Duration d;
            if (raw.matches("\\d+")) {
                d = Duration.ofMillis(Long.parseLong(raw));
            } else {
                try {
                    d = Duration.parse(raw.toUpperCase(Locale.ROOT));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(raw, e);
                }
            }
            if (d.isNegative()) throw new IllegalArgumentException(raw);
            return d;
        }
    };

    /** A {@link #DURATION} from {@code min} to {@code max}. */
    public static ValueType<Duration> durationRange(Duration min, Duration max) {
        return new ValueType<>("a duration from " + min + " to " + max + " (milliseconds or ISO-8601)") {
            @Override protected Duration parseValue(String raw) {
                Duration d = DURATION.parseValue(raw);
                if (d.compareTo(min) < 0 || d.compareTo(max) > 0) throw new IllegalArgumentException(raw);
                return d;
            }
        };
    }

    /**
     * A size in Spark's syntax (JavaUtils.byteStringAs): a whole number with an optional unit b, k/kb, m/mb, g/gb,
     * t/tb, p/pb (any case); a bare number is in the given unit (MiB for Spark's memory keys, bytes for
     * spark.memory.offHeap.size). Returns bytes. Fractions, negative numbers and sizes beyond a long are refused.
     */
    public static ValueType<Long> size(long bareUnitBytes) {
        return new ValueType<>("a size like 512m, 4g or 1t (a bare number is "
                + (bareUnitBytes == 1 ? "bytes" : "MiB") + ")") {
            @Override protected Long parseValue(String raw) {
                return sizeBytes(raw, bareUnitBytes);
            }
        };
    }

    /** Spark's memory sizes: a bare number is MiB (spark.driver.memory, spark.executor.memory, overheads). */
    public static final ValueType<Long> SIZE_MIB = size(1L << 20);

    static long sizeBytes(String raw, long bareUnitBytes) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)([a-z]+)?")
                .matcher(raw.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new IllegalArgumentException(raw);
        long unit;
        String suffix = m.group(2);
        if (suffix == null) {
            unit = bareUnitBytes;
        } else {
            unit = switch (suffix) {
                case "b" -> 1L;
                case "k", "kb" -> 1L << 10;
                case "m", "mb" -> 1L << 20;
                case "g", "gb" -> 1L << 30;
                case "t", "tb" -> 1L << 40;
                case "p", "pb" -> 1L << 50;
                default -> throw new IllegalArgumentException(raw);
            };
        }
        return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    }

    /** One of a fixed set of words, matched without regard to case and returned upper-cased. */
    public static ValueType<String> oneOf(String... values) {
        List<String> allowedValues = List.of(values);
        return new ValueType<>("one of " + String.join(", ", allowedValues)) {
            @Override protected String parseValue(String raw) {
                String up = raw.toUpperCase(Locale.ROOT);
                if (!allowedValues.contains(up)) throw new IllegalArgumentException(raw);
                return up;
            }
        };
    }

    /** Comma-separated words, each one of the values (upper-cased); at least one. */
    public static ValueType<List<String>> listOf(String... values) {
        List<String> allowedValues = List.of(values);
        return new ValueType<>("a comma-separated list of " + String.join(", ", allowedValues)) {
            @Override protected List<String> parseValue(String raw) {
                List<String> words = LIST.parseValue(raw).stream().map(w -> w.toUpperCase(Locale.ROOT)).toList();
                if (words.isEmpty() || !allowedValues.containsAll(words)) throw new IllegalArgumentException(raw);
                return words;
            }
        };
    }

    /** Comma-separated words; empty entries are dropped. */
    public static final ValueType<List<String>> LIST = new ValueType<>("a comma-separated list") {
        @Override protected List<String> parseValue(String raw) {
            return java.util.Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    };
}
