package kitsune.engine.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hive.service.rpc.thrift.TJobExecutionStatus;
import org.apache.hive.service.rpc.thrift.TProgressUpdateResp;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.StageInfo;

/**
 * What the Spark jobs of each statement are doing, for the client: one listener on the engine's SparkContext follows
 * the jobs, stages and tasks of every statement's job group, writes a line to the statement's log when a job or
 * stage starts and ends (beeline prints them while the query runs, the JDBC driver returns them from getQueryLog),
 * and answers GetOperationStatus with a progress table when the client asks for one (beeline's in-place progress
 * bar). Listener calls arrive on Spark's listener bus thread and only update counters.
 */
final class JobProgress extends SparkListener {
    /** The job group property Spark puts on every job and stage of a group (SparkContext.setJobGroup). */
    private static final String JOB_GROUP = "spark.jobGroup.id";
    static final List<String> HEADER = List.of("STAGES", "ATTEMPT", "STATUS", "TOTAL", "COMPLETED", "RUNNING",
            "PENDING", "FAILED", "");

    private final Map<String, Tracker> byGroup = new ConcurrentHashMap<>();
    private final Map<Integer, Tracker> byJob = new ConcurrentHashMap<>();
    private final Map<Long, Tracker> byStage = new ConcurrentHashMap<>();

    /** Follows the jobs of that group from now on, writing to that log. */
    Tracker track(String jobGroup, OperationLog log, long startTime) {
        return byGroup.computeIfAbsent(jobGroup, g -> new Tracker(log, startTime));
    }

    /** Stops following a group (its statement was closed). */
    void untrack(String jobGroup) {
        Tracker t = byGroup.remove(jobGroup);
        if (t == null) return;
        byJob.values().removeIf(v -> v == t);
        byStage.values().removeIf(v -> v == t);
    }

    /** Groups followed now (for tests: closed statements leave none behind). */
    int tracked() {
        return byGroup.size();
    }

    private Tracker of(Properties properties) {
        if (properties == null) return null;
        String group = properties.getProperty(JOB_GROUP);
        return group == null ? null : byGroup.get(group);
    }

    private static long stageKey(int stageId, int attempt) {
        return ((long) stageId << 32) | (attempt & 0xffffffffL);
    }

    @Override
    public void onJobStart(SparkListenerJobStart e) {
        Tracker t = of(e.properties());
        if (t == null) return;
        byJob.put(e.jobId(), t);
        t.jobStarts.put(e.jobId(), e.time());
        t.log.add("Spark job " + e.jobId() + " started");
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd e) {
        Tracker t = byJob.remove(e.jobId());
        if (t == null) return;
        boolean ok = e.jobResult() == JobSucceeded$.MODULE$;
        t.log.add("Spark job " + e.jobId() + (ok ? " succeeded" : " failed") + " after "
                + seconds(e.time() - t.jobStart(e.jobId())));
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
        Tracker t = of(e.properties());
        if (t == null) return;
        StageInfo s = e.stageInfo();
        byStage.put(stageKey(s.stageId(), s.attemptNumber()), t);
        t.stageSubmitted(s.stageId(), s.attemptNumber(), s.numTasks(), s.name());
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        Tracker t = byStage.get(stageKey(e.stageId(), e.stageAttemptId()));
        if (t != null) t.taskStarted(e.stageId(), e.stageAttemptId());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        Tracker t = byStage.get(stageKey(e.stageId(), e.stageAttemptId()));
        if (t != null) t.taskEnded(e.stageId(), e.stageAttemptId(), e.taskInfo().successful());
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted e) {
        StageInfo s = e.stageInfo();
        Tracker t = byStage.remove(stageKey(s.stageId(), s.attemptNumber()));
        if (t == null) return;
        t.stageCompleted(s.stageId(), s.attemptNumber(), s.failureReason().isDefined()
                ? firstLine(s.failureReason().get()) : null);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.2f s", Math.max(0, millis) / 1000.0);
    }

    /** One statement's stages so far, in the order they started. */
    static final class Tracker {
        private final OperationLog log;
        private final long startTime;
        private final Map<Long, Stage> stages = new LinkedHashMap<>(); // guarded by this
        private final Map<Integer, Long> jobStarts = new ConcurrentHashMap<>();

        Tracker(OperationLog log, long startTime) {
            this.log = log;
            this.startTime = startTime;
        }

        private long jobStart(int jobId) {
            Long started = jobStarts.remove(jobId);
            return started == null ? System.currentTimeMillis() : started;
        }

        synchronized void stageSubmitted(int id, int attempt, int tasks, String name) {
            stages.put(stageKey(id, attempt), new Stage(id, attempt, tasks, System.currentTimeMillis()));
            log.add("Stage " + id + "." + attempt + " started: " + tasks + (tasks == 1 ? " task" : " tasks")
                    + (name == null || name.isBlank() ? "" : " (" + name + ")"));
        }

        synchronized void taskStarted(int id, int attempt) {
            Stage s = stages.get(stageKey(id, attempt));
            if (s != null) s.running++;
        }

        synchronized void taskEnded(int id, int attempt, boolean succeeded) {
            Stage s = stages.get(stageKey(id, attempt));
            if (s == null) return;
            s.running = Math.max(0, s.running - 1);
            if (succeeded) s.completed++;
            else s.failed++;
        }

        synchronized void stageCompleted(int id, int attempt, String failure) {
            Stage s = stages.get(stageKey(id, attempt));
            if (s == null) return;
            s.status = failure == null ? "SUCCEEDED" : "FAILED";
            s.running = 0;
            long took = System.currentTimeMillis() - s.startMillis;
            log.add("Stage " + id + "." + attempt + (failure == null
                    ? " finished: " + s.completed + "/" + s.total + " tasks in " + seconds(took)
                    : " failed after " + seconds(took) + ": " + failure));
        }

        /** Beeline's progress table: a row per stage, the share of tasks done, "STAGES: done/all". */
        synchronized TProgressUpdateResp progress(boolean statementEnded) {
            List<List<String>> rows = new ArrayList<>();
            long total = 0;
            long done = 0;
            int finished = 0;
            for (Stage s : stages.values()) {
                int pending = Math.max(0, s.total - s.completed - s.running);
                rows.add(List.of("Stage-" + s.id, String.valueOf(s.attempt), s.status, String.valueOf(s.total),
                        String.valueOf(s.completed), String.valueOf(s.running), String.valueOf(pending),
                        String.valueOf(s.failed), ""));
                total += s.total;
                done += Math.min(s.completed, s.total);
                if (!s.status.equals("RUNNING")) finished++;
            }
            double share = statementEnded ? 1.0 : total == 0 ? 0.0 : (double) done / total;
            TJobExecutionStatus status = rows.isEmpty() ? TJobExecutionStatus.NOT_AVAILABLE
                    : statementEnded ? TJobExecutionStatus.COMPLETE : TJobExecutionStatus.IN_PROGRESS;
            String footer = String.format(Locale.ROOT, "STAGES: %02d/%02d", finished, rows.size());
            return new TProgressUpdateResp(HEADER, rows, share, status, footer, startTime);
        }
    }

    private static final class Stage {
        final int id;
        final int attempt;
        final int total;
        final long startMillis;
        int completed;
        int running;
        int failed;
        String status = "RUNNING";

        Stage(int id, int attempt, int total, long startMillis) {
            this.id = id;
            this.attempt = attempt;
            this.total = total;
            this.startMillis = startMillis;
        }
    }
}
