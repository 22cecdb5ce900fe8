package kitsune.shell;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.hive.jdbc.HiveStatement;
import org.apache.hive.jdbc.logs.InPlaceUpdateStream;
import org.apache.hive.service.rpc.thrift.TProgressUpdateResp;

/**
 * Follows one running statement as Hive's beeline does: a thread fetches the statement's operation log
 * ({@link HiveStatement#getQueryLog}) every {@value #POLL_MS} ms and prints its new lines, and the driver's status
 * polls hand over the progress table (stages done of all, share of tasks done), printed as one line whenever it
 * changes. Closing it (when the statement returns or fails) prints the log lines still unread.
 */
final class StatementProgress implements AutoCloseable {
    static final long POLL_MS = 500;
    private static final int FETCH_ROWS = 1_000;

    private final HiveStatement statement;
    private final PrintStream out;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread poller;
    private final InPlaceUpdateStream.EventNotifier notifier = new InPlaceUpdateStream.EventNotifier();
    private String lastProgress = "";

    private StatementProgress(HiveStatement statement, PrintStream out) {
        this.statement = statement;
        this.out = out;
        // the driver hands over progress only once the user has seen the log at least once
        notifier.operationLogShowedToUser();
        statement.setInPlaceUpdateStream(new InPlaceUpdateStream() {
            @Override
            public void update(TProgressUpdateResp response) {
                progress(response);
            }

            @Override
            public InPlaceUpdateStream.EventNotifier getEventNotifier() {
                return notifier;
            }
        });
        this.poller = new Thread(this::poll, "beeline-operation-log");
        poller.setDaemon(true);
    }

    static StatementProgress start(HiveStatement statement, PrintStream out) {
        StatementProgress p = new StatementProgress(statement, out);
        p.poller.start();
        return p;
    }

    private void poll() {
        try {
            while (!done.await(POLL_MS, TimeUnit.MILLISECONDS)) printLog();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints the log lines fetched so far; false when there is nothing (more) to read. */
    private synchronized boolean printLog() {
        try {
            if (!statement.hasMoreLogs()) return false;
            List<String> lines = statement.getQueryLog(true, FETCH_ROWS);
            for (String line : lines) out.println(line);
            out.flush();
            return !lines.isEmpty();
        } catch (SQLException e) {
            // the statement is closed or not running yet: nothing to show now
            return false;
        }
    }

    private synchronized void progress(TProgressUpdateResp r) {
        if (r == null || r.getHeaderNames() == null || r.getHeaderNames().isEmpty()) return;
        // a statement that runs no Spark stage (SELECT 1, DDL) has no progress to show
        if (r.getRows() == null || r.getRows().isEmpty()) return;
        String footer = r.getFooterSummary() == null ? "" : r.getFooterSummary().trim();
        String line = String.format(Locale.ROOT, "Progress: %s%s%.0f%%", footer, footer.isEmpty() ? "" : ", ",
                r.getProgressedPercentage() * 100);
        if (line.equals(lastProgress)) return;
        lastProgress = line;
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        done.countDown();
        try {
            poller.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifier.progressBarCompleted();
        // the rest of the log (a fast statement's whole log), bounded so that a chatty one cannot hold the prompt
        for (int i = 0; i < 10 && printLog(); i++) {
            // printed
        }
    }
}
