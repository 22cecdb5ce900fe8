package kitsune.engine.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * The lines a client reads with FetchResults(fetchType=1): statement, Spark jobs and stages, state changes, outcome.
 * Kept in memory per operation, at most {@link #MAX_LINES} (a query of thousands of stages then logs that lines were
 * left out); beeline and the JDBC driver's getQueryLog read it incrementally.
 */
final class OperationLog {
    static final int MAX_LINES = 2_000;
    private final List<String> lines = new ArrayList<>();
    private int readPosition;
    private long dropped;

    synchronized void add(String line) {
        if (lines.size() < MAX_LINES - 1) {
            lines.add(line);
        } else if (dropped++ == 0) {
            lines.add("(further lines of this operation's log are left out: it keeps at most " + MAX_LINES + ")");
        }
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
