package kitsune.metrics.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Tag;

/**
 * Kyuubi's JSON reporter (kyuubi.metrics.reporters=JSON): every kyuubi.metrics.json.interval the registry's meters are
 * written to report.json in kyuubi.metrics.json.location, replaced whole (written beside it, then moved over it) so
 * a reader never sees half a file. One object per meter: name, type, tags and its measurements (value, count, total,
 * max, ... in base units: seconds, bytes).
 */
final class JsonReport {
    static final String FILE = "report.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    JsonReport(Path dir) {
        this.dir = dir;
    }

    Path file() {
        return dir.resolve(FILE);
    }

    void write(MeterRegistry registry) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, FILE, ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), render(registry));
            Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static Map<String, Object> render(MeterRegistry registry) {
        List<Map<String, Object>> meters = new ArrayList<>();
        for (Meter m : registry.getMeters()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", m.getId().getName());
            one.put("type", m.getId().getType().name().toLowerCase(java.util.Locale.ROOT));
            Map<String, String> tags = new TreeMap<>();
            for (Tag t : m.getId().getTagsAsIterable()) tags.put(t.getKey(), t.getValue());
            one.put("tags", tags);
            Map<String, Double> values = new LinkedHashMap<>();
            for (Measurement x : m.measure()) {
                double v = x.getValue();
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    values.put(x.getStatistic().getTagValueRepresentation(), v);
                }
            }
            one.put("measurements", values);
            meters.add(one);
        }
        meters.sort((a, b) -> String.valueOf(a.get("name")).compareTo(String.valueOf(b.get("name"))));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("timestamp", Instant.now().toString());
        report.put("meters", meters);
        return report;
    }
}
