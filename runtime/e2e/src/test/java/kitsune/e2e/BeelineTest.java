package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import kitsune.testkit.KitsuneServer;

/**
 * bin/beeline as an analyst runs it, against a real server and Spark engine: a statement that runs a few seconds shows
 * its operation log (the statement, its Spark jobs and stages) and its progress on standard error while its rows go to
 * standard output; a failing statement shows the engine's error in one line.
 */
class BeelineTest {
    private static final Path BEELINE = KitsuneServer.HOME.resolve("bin/beeline");

    private record Run(int rc, String out, String err) {
    }

    private static Run beeline(Path dir, String url, String sql) throws Exception {
        Path out = Files.createTempFile(dir, "beeline", ".out");
        Path err = Files.createTempFile(dir, "beeline", ".err");
        Process p = new ProcessBuilder(BEELINE.toString(), "-u", url, "-n", "alice", "-e", sql)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        p.getOutputStream().close();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/beeline did not finish within 180 s: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void aLongStatementShowsItsLogAndProgressWhileItsRowsGoToStandardOutput() throws Exception {
        Path dir = Files.createTempDirectory("kitsune-e2e-beeline-");
        try (KitsuneServer server = new KitsuneServer(dir).set("spark.driver.memory", "512m").start()) {
            Run run = beeline(dir, server.directUrl(), "SELECT k, count(*) AS n FROM (SELECT id % 3 AS k FROM "
                    + "range(0, 150000000, 1, 4)) t GROUP BY k ORDER BY k;");
            assertEquals(0, run.rc(), run.out() + run.err());
            assertTrue(run.out().contains("50000000"), "the rows on standard output:\n" + run.out());
            assertTrue(run.err().contains("Stage ") && run.err().contains(" finished: "),
                    "the stages in the log on standard error:\n" + run.err());
            assertTrue(run.err().contains("Spark job ") && run.err().contains(" succeeded after "),
                    "the jobs in the log:\n" + run.err());
            assertTrue(run.err().contains("Progress: STAGES: "), "the progress while it runs:\n" + run.err());
            assertTrue(!run.out().contains("Stage "), "no log line among the rows:\n" + run.out());

            // a statement without a Spark stage prints its row and no progress line
            Run quick = beeline(dir, server.directUrl(), "SELECT 1;");
            assertEquals(0, quick.rc(), quick.out() + quick.err());
            assertTrue(!quick.err().contains("Progress:"), "no progress without stages:\n" + quick.err());

            Run failed = beeline(dir, server.directUrl(), "SELECT * FROM no_such_table;");
            assertTrue(failed.rc() != 0, failed.out() + failed.err());
            assertTrue(failed.err().contains("no_such_table"), "the engine's error:\n" + failed.err());
        }
    }
}
