package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLaunchTest {
    @TempDir
    Path dir;

    private Process run(Path log, String script) throws Exception {
        return new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aLocalEngineThatEndsReportsItsExitCodeAndTheTailOfItsLog() throws Exception {
        Path log = dir.resolve("engine.log");
        Process p = run(log, "echo starting; echo 'INVALID_DRIVER_MEMORY: must be at least 450m'; exit 3");
        ProcessLaunch launch = new ProcessLaunch(p, log, "local engine", true, null, LogMask.of());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        Optional<String> failure = launch.failure();
        assertTrue(failure.isPresent());
        assertTrue(failure.get().startsWith("Engine failed to start (exit code 3)."), failure.get());
        assertTrue(failure.get().contains("INVALID_DRIVER_MEMORY: must be at least 450m"), failure.get());
        assertTrue(launch.diagnostics().contains("starting"), launch.diagnostics());
    }

    @Test
    void aRunningLocalEngineHasNoFailureAndCancelEndsIt() throws Exception {
        Path log = dir.resolve("engine.log");
        Process p = run(log, "exec sleep 60");
        ProcessLaunch launch = new ProcessLaunch(p, log, "local engine", true, null, LogMask.of());
        assertEquals(Optional.empty(), launch.failure());
        launch.cancel();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "cancel ends the process");
    }

    @Test
    void theTailKeepsTheLastLines() throws Exception {
        Path log = dir.resolve("engine.log");
        Process p = run(log, "i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String tail = ProcessLaunch.tail(log, 5);
        assertEquals("line95\nline96\nline97\nline98\nline99", tail.strip());
    }
}
