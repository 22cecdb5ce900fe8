package kitsune.metrics.impl;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import kitsune.api.session.SessionInfo;

/**
 * The Prometheus text exposition format (version 0.0.4) of what a scrape reads: the sessions of this server and the
 * JVM. Gauge names keep Kyuubi's where Kyuubi has one (kyuubi_connection_opened), Kitsune's own otherwise.
 */
final class PrometheusText {
    private final StringBuilder out = new StringBuilder();

    /** The whole page; sessions is null while the session service is not running. */
    static String render(List<SessionInfo> sessions, String version) {
        PrometheusText t = new PrometheusText();
        t.gauge("kitsune_info", "The Kitsune server; its version as a label.", Map.of("version", version), 1);
        if (sessions != null) t.sessions(sessions);
        t.jvm();
        return t.out.toString();
    }

    private void sessions(List<SessionInfo> sessions) {
        gauge("kyuubi_connection_opened", "Client sessions open on this server.", Map.of(), sessions.size());
        Map<String, Integer> byUser = new TreeMap<>();
        int operations = 0;
        for (SessionInfo s : sessions) {
            byUser.merge(s.user(), 1, Integer::sum);
            operations += s.openOperations();
        }
        help("kitsune_sessions_open", "Client sessions open on this server, by user.");
        byUser.forEach((user, n) -> sample("kitsune_sessions_open", Map.of("user", user), n));
        gauge("kitsune_operations_open", "Operations (statements, metadata calls) open in this server's sessions.",
                Map.of(), operations);
    }

    private void jvm() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        help("jvm_memory_bytes_used", "Heap memory in use.");
        sample("jvm_memory_bytes_used", Map.of("area", "heap"), heap.getUsed());
        help("jvm_memory_bytes_max", "The largest the heap may grow to.");
        sample("jvm_memory_bytes_max", Map.of("area", "heap"), heap.getMax());
        gauge("jvm_threads_current", "Live threads.", Map.of(), ManagementFactory.getThreadMXBean().getThreadCount());
        gauge("process_uptime_seconds", "Seconds since the server's JVM started.", Map.of(),
                ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        help("jvm_gc_collection_seconds_total", "Time spent in garbage collection, by collector.");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sample("jvm_gc_collection_seconds_total", Map.of("gc", gc.getName()), gc.getCollectionTime() / 1000.0);
        }
    }

    private void gauge(String name, String help, Map<String, String> labels, double value) {
        help(name, help);
        sample(name, labels, value);
    }

    private void help(String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(name.endsWith("_total") ? " counter" : " gauge").append('\n');
    }

    private void sample(String name, Map<String, String> labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{');
            String sep = "";
            for (Map.Entry<String, String> l : new TreeMap<>(labels).entrySet()) {
                out.append(sep).append(l.getKey()).append("=\"").append(escape(l.getValue())).append('"');
                sep = ",";
            }
            out.append('}');
        }
        out.append(' ').append(value == Math.rint(value) && !Double.isInfinite(value) ? String.valueOf((long) value)
                : String.valueOf(value)).append('\n');
    }

    /** Label values escape backslash, quote and newline. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
