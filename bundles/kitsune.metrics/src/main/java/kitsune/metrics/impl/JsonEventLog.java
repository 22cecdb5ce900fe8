package kitsune.metrics.impl;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import kitsune.api.conf.ConfigKeys;
import kitsune.internal.threads.NamedThreads;

/**
 * Kyuubi's JSON event logger: each event is one JSON line (Jackson) in
 * {@code <dir>/<event type>/day=<yyyy-MM-dd>/<server>.json}; the day comes from the injected clock when the event
 * happened, so a new day starts a new file. Events are written by one background thread from a bounded queue: a call
 * that logs an event never waits for a disk; when the queue is full the event is dropped and counted, and a warning
 * says how many were dropped (at most one warning a minute).
 */
final class JsonEventLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonEventLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object STOP = new Object();

    private record Pending(String type, LocalDate day, ObjectNode event) {
    }

    private final Path dir;
    private final String server;
    private final Clock clock;
    private final BlockingQueue<Object> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong warnedAt = new AtomicLong(Long.MIN_VALUE);
    private final Map<String, Open> open = new HashMap<>();
    private final Thread writer;

    private record Open(LocalDate day, Writer out) {
    }

    JsonEventLog(Path dir, String server, Clock clock, int capacity) {
        this.dir = dir;
        this.server = server.replaceAll("[^A-Za-z0-9._-]", "_");
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = NamedThreads.daemon("kitsune-event-log").newThread(this::drain);
        writer.start();
    }

    static ObjectNode node() {
        return JSON.createObjectNode();
    }

    /** Queues the event of that type (server, session, operation); never blocks. */
    void log(String type, ObjectNode event) {
        if (!queue.offer(new Pending(type, LocalDate.now(clock), event))) {
            long n = dropped.incrementAndGet();
            long now = System.nanoTime();
            long last = warnedAt.get();
            if ((last == Long.MIN_VALUE || now - last > TimeUnit.MINUTES.toNanos(1)) && warnedAt.compareAndSet(last, now)) {
                LOG.warn("The JSON event log is behind: {} event(s) dropped so far (the queue of {} is full); raise {} "
                        + "or check that {} is on a disk that keeps up", n, queue.size() + queue.remainingCapacity(),
                        ConfigKeys.EVENT_QUEUE_SIZE.name(), dir);
            }
        }
    }

    long dropped() {
        return dropped.get();
    }

    /** The file of that event type and day. */
    Path file(String type, LocalDate day) {
        return dir.resolve(type).resolve("day=" + day).resolve(server + ".json");
    }

    private void drain() {
        try {
            while (true) {
                Object next = queue.take();
                if (next == STOP) break;
                write((Pending) next);
                if (queue.isEmpty()) flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Open o : open.values()) closeQuietly(o.out());
            open.clear();
        }
    }

    private void write(Pending p) {
        try {
            Open o = open.get(p.type());
            if (o == null || !o.day().equals(p.day())) {
                if (o != null) closeQuietly(o.out());
                Path file = file(p.type(), p.day());
                Files.createDirectories(file.getParent());
                o = new Open(p.day(), Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND));
                open.put(p.type(), o);
            }
            o.out().write(JSON.writeValueAsString(p.event()));
            o.out().write('\n');
        } catch (IOException e) {
            LOG.warn("Cannot write a {} event to {} ({}); set {} to a writable directory", p.type(),
                    file(p.type(), p.day()), e.toString(), ConfigKeys.EVENT_JSON_LOG_PATH.name());
        }
    }

    private void flush() {
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

    /** Writes what is queued (waiting at most the timeout) and closes the files. */
    @Override
    public void close() {
        try {
            if (!queue.offer(STOP, 5, TimeUnit.SECONDS)) writer.interrupt();
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
