package kitsune.engine.spark;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.hive.service.rpc.thrift.THandleIdentifier;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One statement or metadata call of a session: its handle, its state (INITIALIZED, RUNNING, then FINISHED, ERROR,
 * CANCELED or TIMEDOUT, finally CLOSED), its result and its log. Subclasses say how the result is produced and read.
 */
abstract class Operation {
    private static final Set<TOperationState> TERMINAL = EnumSet.of(TOperationState.FINISHED_STATE,
            TOperationState.ERROR_STATE, TOperationState.CANCELED_STATE, TOperationState.TIMEDOUT_STATE,
            TOperationState.CLOSED_STATE);
    private static final StructType LOG_SCHEMA = new StructType().add("operation_log", DataTypes.StringType);

    private final UUID id;
    private final TOperationHandle handle;
    private final CountDownLatch terminal = new CountDownLatch(1);
    private final long startTime = System.currentTimeMillis();
    protected final EngineSession session;
    protected final OperationLog log = new OperationLog();
    private volatile TOperationState state = TOperationState.INITIALIZED_STATE;
    private volatile Throwable error;
    private volatile long completedTime;

    protected Operation(EngineSession session, TOperationType type) {
        this(session, type, UUID.randomUUID());
    }

    /** An operation with the id its caller chose (a server that gave the client the handle before the engine ran). */
    protected Operation(EngineSession session, TOperationType type, UUID id) {
        this.session = session;
        this.id = id;
        this.handle = new TOperationHandle(handleId(id), type, true);
    }

    static THandleIdentifier handleId(UUID id) {
        ByteBuffer guid = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits());
        UUID secret = UUID.randomUUID();
        ByteBuffer sec = ByteBuffer.allocate(16).putLong(secret.getMostSignificantBits())
                .putLong(secret.getLeastSignificantBits());
        return new THandleIdentifier(guid.flip(), sec.flip());
    }

    static UUID idOf(THandleIdentifier h) {
        ByteBuffer b = ByteBuffer.wrap(h.getGuid());
        return new UUID(b.getLong(), b.getLong());
    }

    UUID id() { return id; }
    TOperationHandle handle() { return handle; }
    EngineSession session() { return session; }
    TOperationState state() { return state; }
    Throwable error() { return error; }
    long startTime() { return startTime; }
    long completedTime() { return completedTime; }

    boolean isTerminal() {
        return TERMINAL.contains(state);
    }

    /**
     * Moves to a new state unless the operation already ended. CLOSED may always follow; CANCELED may follow
     * FINISHED because a client cancels a query whose rows it is still fetching.
     */
    protected synchronized boolean transition(TOperationState next, Throwable cause) {
        boolean cancelWhileFetching = state == TOperationState.FINISHED_STATE && next == TOperationState.CANCELED_STATE;
        if (isTerminal() && next != TOperationState.CLOSED_STATE && !cancelWhileFetching) return false;
        state = next;
        if (cause != null) error = cause;
        if (TERMINAL.contains(next)) {
            if (completedTime == 0) completedTime = System.currentTimeMillis();
            terminal.countDown();
        }
        log.add("Operation " + id + " " + next.name().replace("_STATE", "")
                + (cause != null ? ": " + SqlErrors.message(cause) : ""));
        return true;
    }

    /** Waits up to timeout for the operation to end, so that status polls need not spin (long polling). */
    void awaitTerminal(Duration timeout) throws InterruptedException {
        terminal.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The result's schema: once the operation FINISHED, or (statements) once it is compiled. */
    abstract StructType schema() throws InterruptedException;

    /**
     * The next rows of a fetch, and whether more may follow: {@code more} is false only when the result is known to
     * be exhausted (no row left, or the result's row bound reached), so a reader may skip the empty fetch that would
     * otherwise tell it so; true when the batch filled up and finding out would cost work (a Spark job).
     */
    record Fetched(TRowSet rows, boolean more) {
    }

    /** The next rows, at most maxRows; an empty row set means the end. */
    abstract Fetched fetch(int maxRows, boolean fromStart, TProtocolVersion protocol);

    /** Stops the operation and reports it as CANCELED (or TIMEDOUT). */
    abstract void cancel(TOperationState reason);

    void close() {
        if (!isTerminal()) cancel(TOperationState.CANCELED_STATE);
        transition(TOperationState.CLOSED_STATE, null);
    }

    TRowSet fetchLog(int maxRows, boolean fromStart, TProtocolVersion protocol) {
        List<Row> rows = new ArrayList<>();
        for (String line : log.read(maxRows, fromStart)) rows.add(RowFactory.create(line));
        return new RowSetBuilder(LOG_SCHEMA, session.formatter()).build(rows, 0, protocol);
    }

    /** Fails a fetch that comes before the result exists or after the operation ended otherwise. */
    protected void requireFinished() {
        TOperationState s = state;
        if (s != TOperationState.FINISHED_STATE) {
            throw new IllegalStateException("Expected state FINISHED, but found " + s.name().replace("_STATE", "")
                    + (error != null ? ": " + SqlErrors.message(error) : ""));
        }
    }
}
