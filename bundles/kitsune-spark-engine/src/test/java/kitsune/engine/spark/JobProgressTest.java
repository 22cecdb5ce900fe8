package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.hive.service.rpc.thrift.TJobExecutionStatus;
import org.apache.hive.service.rpc.thrift.TProgressUpdateResp;
import org.junit.jupiter.api.Test;

class JobProgressTest {
    @Test
    void theProgressTableHasARowPerStageAndTheShareOfTasksDone() {
        OperationLog log = new OperationLog();
        JobProgress.Tracker t = new JobProgress().track("kitsune-1", log, 1000L);
        assertEquals(TJobExecutionStatus.NOT_AVAILABLE, t.progress(false).getStatus());

        t.stageSubmitted(3, 0, 4, "count at <unknown>:0");
        t.taskStarted(3, 0);
        t.taskStarted(3, 0);
        t.taskEnded(3, 0, true);
        TProgressUpdateResp running = t.progress(false);
        assertEquals(TJobExecutionStatus.IN_PROGRESS, running.getStatus());
        assertEquals(List.of(List.of("Stage-3", "0", "RUNNING", "4", "1", "1", "2", "0", "")), running.getRows());
        assertEquals(0.25, running.getProgressedPercentage());
        assertEquals("STAGES: 00/01", running.getFooterSummary());
        assertEquals(1000L, running.getStartTime());

        t.taskEnded(3, 0, true);
        t.taskStarted(3, 0);
        t.taskEnded(3, 0, false);
        t.stageCompleted(3, 0, "Job aborted");
        TProgressUpdateResp ended = t.progress(true);
        assertEquals(List.of("Stage-3", "0", "FAILED", "4", "2", "0", "2", "1", ""), ended.getRows().get(0));
        assertEquals(TJobExecutionStatus.COMPLETE, ended.getStatus());
        assertEquals(1.0, ended.getProgressedPercentage());
        assertEquals("STAGES: 01/01", ended.getFooterSummary());

        List<String> lines = log.read(10, true);
        assertEquals("Stage 3.0 started: 4 tasks (count at <unknown>:0)", lines.get(0));
        assertTrue(lines.get(1).matches("Stage 3\\.0 failed after \\d+\\.\\d\\d s: Job aborted"), lines.get(1));
    }

    @Test
    void aClosedStatementsGroupIsNoLongerFollowed() {
        JobProgress progress = new JobProgress();
        progress.track("kitsune-1", new OperationLog(), 0);
        progress.track("kitsune-2", new OperationLog(), 0);
        progress.untrack("kitsune-1");
        assertEquals(1, progress.tracked());
    }

    @Test
    void anOperationLogKeepsAtMostItsBoundAndSaysSo() {
        OperationLog log = new OperationLog();
        for (int i = 0; i < OperationLog.MAX_LINES + 500; i++) log.add("line " + i);
        List<String> lines = log.read(Integer.MAX_VALUE, true);
        assertEquals(OperationLog.MAX_LINES, lines.size());
        assertEquals("line " + (OperationLog.MAX_LINES - 2), lines.get(OperationLog.MAX_LINES - 2));
        assertTrue(lines.get(OperationLog.MAX_LINES - 1).startsWith("(further lines of this operation's log are left out"));
    }
}
