package kitsune.engine.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * The few lines a client reads with FetchResults(fetchType=1): statement, state changes, outcome. Kept in memory
 * per operation; beeline and the JDBC driver's getQueryLog read it incrementally.
 */
final class OperationLog {
    private final List<String> lines = new ArrayList<>();
    private int readPosition;

    synchronized void add(String line) {
        lines.add(line);
    }

    /** Up to max lines after what was read before, or from the first line when fromStart. */
    synchronized List<String> read(int max, boolean fromStart) {
        if (fromStart) readPosition = 0;
        int end = Math.min(lines.size(), readPosition + Math.max(max, 0));
        List<String> out = new ArrayList<>(lines.subList(readPosition, end));
        readPosition = end;
        return out;
    }
}
