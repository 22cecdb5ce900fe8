package kitsune.metrics.impl;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import kitsune.api.conf.ConfigKeys;

/**
 * Kyuubi's JSON event logger: each event is one JSON line (Jackson) in
 * {@code <dir>/<event type>/day=<yyyy-MM-dd>/<server>.json}; the day is the one the event happened on, so a new day
 * starts a new file. Not thread-safe: only the {@link EventWriter}'s thread writes, flushes and closes.
 */
final class JsonEventLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonEventLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String server;
    private final Map<String, Open> open = new HashMap<>();

    private record Open(LocalDate day, Writer out) {
    }

    JsonEventLog(Path dir, String server) {
        this.dir = dir;
        this.server = server.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static ObjectNode node() {
        return JSON.createObjectNode();
    }

    /** The file of that event type and day. */
    Path file(String type, LocalDate day) {
        return dir.resolve(type).resolve("day=" + day).resolve(server + ".json");
    }

    /** Appends the event of that type (server, session, operation) to the file of its day. */
    void write(String type, LocalDate day, ObjectNode event) {
        try {
            Open o = open.get(type);
            if (o == null || !o.day().equals(day)) {
                if (o != null) closeQuietly(o.out());
                Path file = file(type, day);
                Files.createDirectories(file.getParent());
                o = new Open(day, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND));
                open.put(type, o);
            }
            o.out().write(JSON.writeValueAsString(event));
            o.out().write('\n');
        } catch (IOException e) {
            LOG.warn("Cannot write a {} event to {} ({}); set {} to a writable directory", type, file(type, day),
                    e.toString(), ConfigKeys.EVENT_JSON_LOG_PATH.name());
        }
    }

    void flush() {
        for (Open o : open.values()) {
            try {
                o.out().flush();
            } catch (IOException e) {
                LOG.warn("Cannot write the JSON event log under {} ({})", dir, e.toString());
            }
        }
    }

    private static void closeQuietly(Writer w) {
        try {
            w.close();
        } catch (IOException e) {
            LOG.debug("Closing an event log file: {}", e.toString());
        }
    }

    @Override
    public void close() {
        for (Open o : open.values()) closeQuietly(o.out());
        open.clear();
    }
}
