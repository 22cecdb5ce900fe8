package kitsune.engine.spark.impl;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.batch.Batch;
import kitsune.api.batch.BatchApplication;
import kitsune.api.batch.BatchState;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * A batch's process as the provider follows it, with real processes (a shell standing in for spark-submit): states
 * from the output and the exit code the wrapping shell leaves, kill, and finding it again from a later server.
 */
class SparkBatchesTest {
    @TempDir
    Path work;

    private KitsuneConf conf() {
        return KitsuneConf.fromProperties(Map.of(ConfigKeys.WORK_DIR.name(), work.toString()));
    }

    private Path dir(String id) throws Exception {
        return Files.createDirectories(SparkBatches.dirOf(conf(), id));
    }

    private SparkBatches.ProcessBatch run(Path dir, String script) throws Exception {
        return SparkBatches.start(dir, SparkBatches.wrapped(dir, List.of("/bin/sh", "-c", script)), Map.of(),
                LogMask.of(Map.of("spark.secret", "hunter2")));
    }

    @Test
    void aSuccessfulApplicationFinishesWithTheApplicationIdItPrinted() throws Exception {
        Path dir = dir(UUID.randomUUID().toString());
        SparkBatches.ProcessBatch app = run(dir, "echo 'INFO SparkContext: app local-1733500000123 started at "
                + "http://127.0.0.1:4040'; exit 0");
        await().atMost(Duration.ofSeconds(20)).until(() -> app.status().state().terminal());
        BatchApplication.Status st = app.status();
        assertEquals(BatchState.FINISHED, st.state());
        assertEquals("local-1733500000123", st.appId());
        assertEquals("http://127.0.0.1:4040", st.appUrl());
        assertEquals("0", Files.readString(dir.resolve(SparkBatches.EXIT_FILE)).trim());
    }

    @Test
    void aFailingApplicationIsAnErrorWithTheEndOfItsLogSecretsMasked() throws Exception {
        SparkBatches.ProcessBatch app = run(dir(UUID.randomUUID().toString()),
                "echo 'spark.secret=hunter2'; echo 'Exception in thread main: boom' >&2; exit 3");
        await().atMost(Duration.ofSeconds(20)).until(() -> app.status().state().terminal());
        BatchApplication.Status st = app.status();
        assertEquals(BatchState.ERROR, st.state());
        assertTrue(st.appState().contains("exit code 3"), st.appState());
        assertTrue(st.diagnostic().contains("Exception in thread main: boom"), st.diagnostic());
        assertFalse(st.diagnostic().contains("hunter2"), st.diagnostic());
        assertNull(st.appId());
    }

    @Test
    void aRunningApplicationIsPendingUntilItsIdIsKnownThenRunningAndAKillEndsEveryProcessOfIt() throws Exception {
        Path dir = dir(UUID.randomUUID().toString());
        SparkBatches.ProcessBatch app = run(dir, "sleep 1; echo app-20241206101010-0007; sleep 300");
        assertEquals(BatchState.PENDING, app.status().state());
        await().atMost(Duration.ofSeconds(20)).until(() -> app.status().state() == BatchState.RUNNING);
        assertEquals("app-20241206101010-0007", app.status().appId());
        List<ProcessHandle> all = new java.util.ArrayList<>(processesOf(dir));
        assertEquals(1, all.size(), "the wrapping shell names the batch's directory");
        all.addAll(all.get(0).descendants().toList());
        assertTrue(all.size() >= 3, "shell, application, its child: " + all);
        app.kill();
        assertTrue(all.stream().noneMatch(ProcessHandle::isAlive), "nothing of the batch runs");
        assertEquals(BatchState.ERROR, app.status().state());
        assertEquals("KILLED", app.status().appState());
        assertFalse(Files.exists(dir.resolve(SparkBatches.EXIT_FILE)), "a killed batch leaves no exit code");
    }

    @Test
    void aLaterServerFindsTheRunningProcessAndLaterItsExitCode() throws Exception {
        String id = UUID.randomUUID().toString();
        Path dir = dir(id);
        run(dir, "echo local-1733500000999; sleep 2; exit 4");
        Batch batch = new Batch(id, "alice", "SPARK", "/a.jar", "Main", "n", Map.of(), List.of(), BatchState.RUNNING,
                null, null, null, null, "gone:1", 1, 0);
        BatchApplication found = new SparkBatches(null).recover(batch, conf()).orElseThrow();
        assertEquals(dir.resolve(SparkBatches.LOG_FILE), found.localLog());
        await().atMost(Duration.ofSeconds(20)).until(() -> found.status().state().terminal());
        assertEquals(BatchState.ERROR, found.status().state());
        assertTrue(found.status().appState().contains("exit code 4"), found.status().appState());
        assertEquals("local-1733500000999", found.status().appId());

        String never = UUID.randomUUID().toString();
        assertTrue(new SparkBatches(null).recover(new Batch(never, "alice", "SPARK", "/a.jar", "Main", "n", Map.of(),
                List.of(), BatchState.RUNNING, null, null, null, null, "gone:1", 1, 0), conf()).isEmpty());
    }

    @Test
    void aStandaloneClusterDriverThatFailedIsAnErrorThoughSparkSubmitLeftWithZero() throws Exception {
        String submitted = "echo 'INFO Client: Driver successfully submitted as driver-20261207101010-0003'; ";
        SparkBatches.DriverOnCluster standalone = new SparkBatches.DriverOnCluster(StandaloneDrivers.DRIVER_ID,
                null, true);
        Path failedDir = dir(UUID.randomUUID().toString());
        SparkBatches.ProcessBatch failed = SparkBatches.start(failedDir, SparkBatches.wrapped(failedDir, List.of(
                "/bin/sh", "-c", submitted + "echo 'INFO Client: State of driver driver-20261207101010-0003 is "
                        + "FAILED, exiting spark-submit JVM.'; echo 'INFO ShutdownHookManager: Shutdown hook called';"
                        + " exit 0")), Map.of(), LogMask.of(Map.of()), standalone, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> failed.status().state().terminal());
        assertEquals(BatchState.ERROR, failed.status().state());
        assertEquals("FAILED", failed.status().appState());
        assertEquals("driver-20261207101010-0003", failed.status().appId());
        assertTrue(failed.status().diagnostic().contains("driver-20261207101010-0003 ended FAILED"),
                failed.status().diagnostic());

        Path finishedDir = dir(UUID.randomUUID().toString());
        SparkBatches.ProcessBatch finished = SparkBatches.start(finishedDir, SparkBatches.wrapped(finishedDir,
                List.of("/bin/sh", "-c", submitted + "echo 'INFO Client: State of driver driver-20261207101010-0003 "
                        + "is FINISHED, exiting spark-submit JVM.'; exit 0")), Map.of(), LogMask.of(Map.of()),
                standalone, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> finished.status().state().terminal());
        assertEquals(BatchState.FINISHED, finished.status().state());
        assertEquals("FINISHED", finished.status().appState());
    }

    @Test
    void aYarnApplicationsEndIsTheBatchsEnd() {
        assertEquals(BatchState.PENDING, SparkBatches.YarnBatch.statusOf(new YarnApplications.App(
                "application_1_0001", "alice", "default", "ACCEPTED", "UNDEFINED", "")).state());
        assertEquals(BatchState.RUNNING, SparkBatches.YarnBatch.statusOf(new YarnApplications.App(
                "application_1_0001", "alice", "default", "RUNNING", "UNDEFINED", "")).state());
        assertEquals(BatchState.FINISHED, SparkBatches.YarnBatch.statusOf(new YarnApplications.App(
                "application_1_0001", "alice", "default", "FINISHED", "SUCCEEDED", "")).state());
        BatchApplication.Status failed = SparkBatches.YarnBatch.statusOf(new YarnApplications.App(
                "application_1_0001", "alice", "default", "FINISHED", "FAILED", "User class threw exception"));
        assertEquals(BatchState.ERROR, failed.state());
        assertEquals("FINISHED (FAILED)", failed.appState());
        assertTrue(failed.diagnostic().contains("User class threw exception"), failed.diagnostic());
        assertEquals(BatchState.ERROR, SparkBatches.YarnBatch.statusOf(new YarnApplications.App(
                "application_1_0001", "alice", "default", "KILLED", "KILLED", "Killed by user bob")).state());
    }

    @Test
    void onlyIdsTheServerGivesNameADirectory() {
        assertThrows(IllegalArgumentException.class, () -> SparkBatches.dirOf(conf(), "../../etc"));
        assertThrows(IllegalArgumentException.class, () -> SparkBatches.dirOf(conf(), "x"));
    }

    private static List<ProcessHandle> processesOf(Path dir) {
        String marker = dir.toString();
        return ProcessHandle.allProcesses().filter(p -> p.isAlive()
                && p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
    }
}
