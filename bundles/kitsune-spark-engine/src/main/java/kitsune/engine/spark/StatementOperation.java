package kitsune.engine.spark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import kitsune.api.conf.ConfigKeys;

/**
 * A SQL statement. It runs on the engine's bounded pool under its own Spark job group, so that a cancel stops its
 * jobs (interruptOnCancel). The operation counts as RUNNING until the first partition of the result exists, so
 * errors of the query itself surface in the status rather than in a fetch; the rest streams with
 * Dataset.toLocalIterator(), one partition at a time, never collected whole (rows a plan already holds in the driver
 * are read directly: see {@link LocalResults}).
 */
final class StatementOperation extends Operation {
    private static final long RECANCEL_MILLIS = 500;
    /** The job property Kyuubi's engines set to the session user, read by Kyuubi's Spark AuthZ plugin. */
    static final String SESSION_USER_PROPERTY = "kyuubi.session.user";

    /** How long a metadata request waits for a queued or just-started statement to be analysed. */
    static final Duration ANALYSIS_WAIT = Duration.ofSeconds(10);

    private final String statement;
    private final String jobGroup = "kitsune-" + id();
    private final ScheduledExecutorService scheduler;
    private final CountDownLatch runDone = new CountDownLatch(1);
    /** Taken by the run when it starts, or by a cancel that comes first (the run then does nothing). */
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    /** Counted down once the statement is analysed (its schema known) or has ended without it. */
    private final CountDownLatch analysed = new CountDownLatch(1);
    private volatile Future<?> future;
    private volatile StructType schema;
    private Iterator<Row> rows;
    /** Whether every row is in the driver's memory: reading them runs no Spark job. */
    private boolean rowsInDriver;
    /** Rows read ahead by {@link #peekWhole} and not fetched yet: the next fetch starts with them. */
    private final java.util.ArrayDeque<Row> peeked = new java.util.ArrayDeque<>();
    private long fetched;
    /** Most rows the result yields; 0: all. */
    private final long maxRows;

    private final JobProgress progress;
    private volatile JobProgress.Tracker tracker;

    StatementOperation(EngineSession session, String statement, ScheduledExecutorService scheduler) {
        this(session, statement, scheduler, 0, new JobProgress());
    }

    StatementOperation(EngineSession session, String statement, ScheduledExecutorService scheduler, long maxRows,
            JobProgress progress) {
        this(session, statement, scheduler, maxRows, progress, java.util.UUID.randomUUID());
    }

    StatementOperation(EngineSession session, String statement, ScheduledExecutorService scheduler, long maxRows,
            JobProgress progress, java.util.UUID id) {
        super(session, TOperationType.EXECUTE_STATEMENT, id);
        this.maxRows = maxRows;
        this.progress = progress;
        this.statement = statement;
        this.scheduler = scheduler;
        log.add("Executing statement: " + statement);
    }

    /** Queues the statement; a full pool throws RejectedExecutionException to the caller. */
    void submit(ExecutorService pool, long queryTimeoutSeconds) {
        future = pool.submit(this::run);
        if (queryTimeoutSeconds > 0) {
            scheduler.schedule(() -> cancel(TOperationState.TIMEDOUT_STATE), queryTimeoutSeconds, TimeUnit.SECONDS);
        }
    }

    /** Waits for the end of a synchronous (runAsync=false) statement. */
    void awaitRun() throws InterruptedException {
        runDone.await();
    }

    private void run() {
        if (!started.compareAndSet(false, true)) return; // cancelled before it started
        SparkContext sc = session.spark().sparkContext();
        try {
            if (!transition(TOperationState.RUNNING_STATE, null)) return;
            tracker = progress.track(jobGroup, log, startTime());
            sessionUser(sc);
            sc.setJobGroup(jobGroup, statement, true);
            Dataset<Row> df = session.spark().sql(statement);
            schema = df.schema();
            analysed.countDown();
            if (isTerminal()) return;
            LocalResults.Source source = LocalResults.source(df);
            Iterator<Row> it = source.rows();
            it.hasNext();
            synchronized (this) {
                rows = it;
                rowsInDriver = source.inDriver();
            }
            transition(TOperationState.FINISHED_STATE, null);
        } catch (Throwable t) {
            // after a cancel Spark reports the killed job as an error: the state already says CANCELED
            transition(TOperationState.ERROR_STATE, t);
        } finally {
            sc.clearJobGroup();
            clearSessionUser(sc);
            analysed.countDown();
            runDone.countDown();
        }
    }

    /**
     * The session's user, as this thread runs its statement: Spark's current_user() and user() read it (in a shared
     * engine they would name the engine's OS user), and so do authorization plugins such as Kyuubi's Spark AuthZ
     * (through the job property kyuubi.session.user, which Spark passes on to the statement's jobs).
     */
    private void sessionUser(SparkContext sc) {
        org.apache.spark.sql.catalyst.CurrentUserContext.CURRENT_USER().set(session.user());
        sc.setLocalProperty(SESSION_USER_PROPERTY, session.user());
    }

    private static void clearSessionUser(SparkContext sc) {
        org.apache.spark.sql.catalyst.CurrentUserContext.CURRENT_USER().remove();
        sc.setLocalProperty(SESSION_USER_PROPERTY, null);
    }

    /**
     * As HiveServer2: the schema is there once the statement is compiled, so a client that asks for the result's
     * metadata while the query still runs (the Hive driver's executeAsync does) gets it; a queued statement is waited
     * for up to {@link #ANALYSIS_WAIT}.
     */
    @Override
    StructType schema() throws InterruptedException {
        TOperationState s = state();
        if (s == TOperationState.INITIALIZED_STATE || s == TOperationState.PENDING_STATE
                || s == TOperationState.RUNNING_STATE) {
            analysed.await(ANALYSIS_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            StructType known = schema;
            if (known != null && !isTerminalOtherThanFinished(state())) return known;
        }
        requireFinished();
        return schema;
    }

    @Override
    synchronized Fetched fetch(int maxRows, boolean fromStart, TProtocolVersion protocol) {
        requireFinished();
        if (fromStart && fetched > 0) {
            throw new IllegalStateException("FETCH_FIRST is not supported for a query result once rows were read");
        }
        long offset = fetched;
        long left = this.maxRows > 0 ? this.maxRows - offset : Long.MAX_VALUE;
        List<Row> batch = new ArrayList<>(Math.min(Math.max(maxRows, 0), 10_000));
        SparkContext sc = session.spark().sparkContext();
        // later partitions run as jobs on this thread: they belong to the operation's group, and its user, too
        sessionUser(sc);
        sc.setJobGroup(jobGroup, statement, true);
        try {
            while (batch.size() < maxRows && batch.size() < left && !isTerminalOtherThanFinished()
                    && (!peeked.isEmpty() || rows.hasNext())) {
                batch.add(peeked.isEmpty() ? rows.next() : peeked.pollFirst());
            }
        } catch (RuntimeException e) {
            transition(TOperationState.ERROR_STATE, e);
            throw e;
        } finally {
            sc.clearJobGroup();
            clearSessionUser(sc);
        }
        requireFinished();
        fetched += batch.size();
        // the loop stopped short of maxRows with the statement FINISHED: the rows ran out, or the bound was reached;
        // a full batch says nothing (asking the iterator could start the next partition's job now)
        boolean more = batch.size() < left && batch.size() >= maxRows;
        return new Fetched(new RowSetBuilder(schema, session.formatter()).build(batch, offset, protocol), more);
    }

    /**
     * The whole result, when the statement FINISHED, none of its rows was fetched, its rows are in the driver and
     * there are at most {@code maxRows} of them (within the result's bound); null otherwise. The rows are not
     * consumed: a later fetch still returns them.
     */
    synchronized TRowSet peekWhole(int maxRows, TProtocolVersion protocol) {
        if (state() != TOperationState.FINISHED_STATE || fetched > 0 || !rowsInDriver || rows == null) return null;
        long bound = this.maxRows > 0 ? this.maxRows : Long.MAX_VALUE;
        while (peeked.size() <= maxRows && peeked.size() < bound && rows.hasNext()) peeked.addLast(rows.next());
        if (peeked.size() > maxRows) return null;
        return new RowSetBuilder(schema, session.formatter()).build(new ArrayList<>(peeked), 0, protocol);
    }

    /**
     * The bound of a statement's result: the engine's kyuubi.operation.result.max.rows, or the session's own value
     * (from its OpenSession settings or a SET) where that is lower; a session cannot raise or lift the engine's.
     */
    static long resultMaxRows(int engineMax, EngineSession session) {
        long max = engineMax;
        try {
            scala.Option<String> own = session.spark().conf().getOption(ConfigKeys.OPERATION_RESULT_MAX_ROWS.name());
            if (own.isDefined()) {
                long asked = Long.parseLong(own.get().trim());
                if (asked > 0 && (max <= 0 || asked < max)) max = asked;
            }
        } catch (RuntimeException e) {
            // not a number: the engine's bound stands
        }
        return max;
    }

    private boolean isTerminalOtherThanFinished() {
        return state() != TOperationState.FINISHED_STATE;
    }

    private static boolean isTerminalOtherThanFinished(TOperationState s) {
        return s == TOperationState.CANCELED_STATE || s == TOperationState.ERROR_STATE
                || s == TOperationState.TIMEDOUT_STATE || s == TOperationState.CLOSED_STATE;
    }

    /** The progress of the statement's Spark jobs, as beeline's in-place progress shows it. */
    org.apache.hive.service.rpc.thrift.TProgressUpdateResp progress() {
        JobProgress.Tracker t = tracker;
        boolean ended = isTerminal();
        if (t != null) return t.progress(ended);
        return new org.apache.hive.service.rpc.thrift.TProgressUpdateResp(JobProgress.HEADER, List.of(), ended ? 1.0 : 0,
                org.apache.hive.service.rpc.thrift.TJobExecutionStatus.NOT_AVAILABLE, "", startTime());
    }

    @Override
    void close() {
        super.close();
        progress.untrack(jobGroup);
    }

    @Override
    void cancel(TOperationState reason) {
        if (!transition(reason, null)) return;
        Future<?> f = future;
        if (f != null) f.cancel(false);
        // a running statement ends itself (its job group is cancelled until then); Future.isCancelled is true also
        // for a running one, which must not stop the re-cancels while its job may still be submitted
        if (started.compareAndSet(false, true)) runDone.countDown();
        cancelJobsUntilStopped();
    }

    /**
     * Cancels the job group, and again every half second while the statement still runs: a job submitted just
     * after a cancel (between analysis and execution) must not run to its end.
     */
    private void cancelJobsUntilStopped() {
        session.spark().sparkContext().cancelJobGroup(jobGroup);
        if (runDone.getCount() > 0) {
            scheduler.schedule(this::cancelJobsUntilStopped, RECANCEL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
