package kitsune.bench;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Errors of a benchmark's clients, counted by message (shortened), for the first few with their counts. */
final class ErrorTally {
    private final int maxMessage;
    private final LongAdder total = new LongAdder();
    private final Map<String, LongAdder> byMessage = new ConcurrentHashMap<>();

    /** @param maxMessage characters of a message kept (messages alike up to there count as one) */
    ErrorTally(int maxMessage) {
        this.maxMessage = maxMessage;
    }

    void add(String message) {
        total.increment();
        String m = String.valueOf(message);
        byMessage.computeIfAbsent(m.length() > maxMessage ? m.substring(0, maxMessage) : m, k -> new LongAdder())
                .increment();
    }

    long total() {
        return total.sum();
    }

    /** Prints the most frequent messages, at most {@code limit}, one line each with its count. */
    void printTop(int limit) {
        byMessage.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .limit(limit).forEach(e -> System.out.printf(Locale.ROOT, "    %6d x %s%n", e.getValue().sum(),
                        e.getKey()));
    }
}
