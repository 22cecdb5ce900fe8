package kitsune.session.impl;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.hive.service.rpc.thrift.TColumn;
import org.apache.hive.service.rpc.thrift.TColumnValue;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TOperationHandle;
import org.apache.hive.service.rpc.thrift.TOperationState;
import org.apache.hive.service.rpc.thrift.TOperationType;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TRow;
import org.apache.hive.service.rpc.thrift.TRowSet;
import org.apache.hive.service.rpc.thrift.TStatus;
import org.apache.hive.service.rpc.thrift.TStringColumn;
import org.apache.hive.service.rpc.thrift.TStringValue;

import kitsune.api.engine.EngineConf;
import kitsune.thrift.Handles;
import kitsune.thrift.Statuses;

/**
 * Statements accepted while their session's engine is still found or launched (asynchronous launch): the client gets
 * an operation handle at once, which this server chose, and sees the statement PENDING, with what finding or launching
 * the engine says in the statement's log (beeline prints it), until the engine is ready. Then the statement is sent
 * to the engine with that same operation id ({@link EngineConf#OPERATION_ID}), so that every later call on the handle
 * goes straight to the engine as for any other statement. A binding that fails ends the statement in ERROR with the
 * binding's message; a statement cancelled or closed before the engine is ready is never sent.
 */
final class PendingStatements {
    /** One accepted statement, until the engine took it (or it ended here). */
    static final class Pending {
        private final ServerSession session;
        private final TExecuteStatementReq request;
        private final TOperationHandle handle;
        private final long accepted = System.nanoTime();
        /** Completes with the engine's answer to the statement, or an error status (the statement ended here). */
        private final CompletableFuture<TStatus> sent = new CompletableFuture<>();
        /** Lines of the statement's log not yet fetched: the session's binding notes are read from this index. */
        private int notesServed; // guarded by this
        private final List<String> ownLines = new ArrayList<>(); // guarded by this
        private int ownServed; // guarded by this
        private boolean sending; // guarded by this
        private TOperationState endedHere; // guarded by this

        private Pending(ServerSession session, TExecuteStatementReq request, TOperationHandle handle) {
            this.session = session;
            this.request = request;
            this.handle = handle;
        }

        ServerSession session() {
            return session;
        }

        TOperationHandle handle() {
            return handle;
        }

        /** Whether the engine has the statement: every call on it then goes to the engine. */
        boolean sentOk() {
            TStatus s = sent.getNow(null);
            return s != null && Statuses.isOk(s);
        }

        synchronized void line(String line) {
            ownLines.add(line);
        }
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** The statement of that handle, while it is (or was, and its log still has lines to give) pending. */
    Pending get(String key) {
        return pending.get(key);
    }

    /** Statements of that session the engine does not have yet. */
    long waiting(ServerSession s) {
        return pending.values().stream().filter(p -> p.session == s && !p.sent.isDone()).count();
    }

    /** Accepts the statement of a session whose engine is not ready yet; the caller answers with its handle. */
    Pending accept(ServerSession s, TExecuteStatementReq req) {
        TOperationHandle handle = Handles.newOperationHandle(TOperationType.EXECUTE_STATEMENT, true);
        Pending p = new Pending(s, req, handle);
        p.line("Waiting for the engine of session " + s.id() + ", which is being found or launched; the statement "
                + "runs once it is ready");
        pending.put(Handles.key(handle), p);
        return p;
    }

    /** Sends the statement to the engine once the session is bound, unless it ended here meanwhile; once. */
    void sendWhenBound(Pending p) {
        p.session.bound().whenComplete((ok, failure) -> send(p));
    }

    private void send(Pending p) {
        synchronized (p) {
            if (p.sending || p.endedHere != null) return;
            p.sending = true;
        }
        TStatus status;
        try {
            p.session.bound().join();
            UUID id = Handles.uuid(p.handle.getOperationId());
            TExecuteStatementReq req = p.request.deepCopy();
            Map<String, String> overlay = req.getConfOverlay() == null ? new HashMap<>()
                    : new HashMap<>(req.getConfOverlay());
            overlay.put(EngineConf.OPERATION_ID, id.toString());
            req.setConfOverlay(overlay);
            req.setSessionHandle(p.session.engineHandle());
            p.line("The engine is ready after " + Duration.ofNanos(System.nanoTime() - p.accepted).toMillis()
                    + " ms; running the statement");
            TExecuteStatementResp resp = p.session.engine().call("ExecuteStatement", c -> c.ExecuteStatement(req));
            status = resp.getStatus();
        } catch (java.util.concurrent.CompletionException e) {
            status = e.getCause() instanceof ServerSession.BindingFailed failed ? failed.status()
                    : Statuses.error("Binding the session to its engine failed: " + e.getCause());
        } catch (EngineCallException e) {
            status = Statuses.error(e.getMessage(), "08S01");
        } catch (RuntimeException e) {
            status = Statuses.error("Sending the statement to its engine failed: " + e);
        }
        if (!Statuses.isOk(status)) {
            synchronized (p) {
                p.endedHere = TOperationState.ERROR_STATE;
            }
            p.line("The statement did not start: " + status.getErrorMessage());
        }
        p.sent.complete(status);
    }

    /**
     * The status of a statement not (successfully) given to the engine, waiting up to the polling timeout for the
     * engine (long polling, as the engine's own status does); null once the engine has it (ask the engine).
     */
    TGetOperationStatusResp status(Pending p, Duration pollingTimeout) {
        TStatus sent = awaitSent(p, pollingTimeout);
        if (sent != null && Statuses.isOk(sent)) return null;
        TGetOperationStatusResp resp = new TGetOperationStatusResp(Statuses.ok());
        resp.setOperationStarted(p.session.opened().toEpochMilli());
        // as the engine answers for every statement (the Hive driver's executeAsync waits until this is known)
        resp.setHasResultSet(true);
        synchronized (p) {
            if (p.endedHere == null) {
                resp.setOperationState(TOperationState.PENDING_STATE);
                return resp;
            }
            resp.setOperationState(p.endedHere);
        }
        if (resp.getOperationState() == TOperationState.ERROR_STATE && sent != null) {
            resp.setErrorMessage(sent.getErrorMessage());
            resp.setSqlState(sent.getSqlState());
            resp.setErrorCode(sent.getErrorCode());
        }
        return resp;
    }

    /** Waits for the engine to take the statement; its answer, or null while it has not been sent. */
    TStatus awaitSent(Pending p, Duration timeout) {
        try {
            return p.sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return Statuses.error(String.valueOf(e.getCause()));
        }
    }

    /**
     * Ends a statement the engine does not have yet (cancel or close): it is never sent. False when the engine has it
     * or is being given it (then the call goes to the engine).
     */
    boolean endHere(Pending p, TOperationState state) {
        synchronized (p) {
            if (p.sending) return false;
            if (p.endedHere == null) p.endedHere = state;
        }
        p.line("The statement was " + state.name().replace("_STATE", "").toLowerCase(java.util.Locale.ROOT)
                + " before its engine was ready");
        p.sent.complete(Statuses.error("The statement was " + (state == TOperationState.CLOSED_STATE ? "closed"
                : "cancelled") + " before its engine was ready"));
        return true;
    }

    /** Forgets the statement (closed). */
    void remove(String key) {
        pending.remove(key);
    }

    /** Forgets the statements of a closed session; those the engine does not have are never sent. */
    void removeSession(ServerSession s) {
        pending.values().removeIf(p -> {
            if (p.session != s) return false;
            endHere(p, TOperationState.CLOSED_STATE);
            return true;
        });
    }

    /**
     * The statement's log lines not fetched yet (the first call: all of them), as a row set of the client's protocol;
     * null when every line here has been given and the engine has the statement (fetch the rest from the engine).
     */
    TRowSet nextLog(Pending p, int maxRows) {
        List<String> lines = new ArrayList<>();
        synchronized (p) {
            // the engine's notes about finding or launching, between the first own line and the later ones
            List<String> notes = p.session.bindingNotes();
            if (p.ownServed == 0 && !p.ownLines.isEmpty()) {
                lines.add(p.ownLines.get(0));
                p.ownServed = 1;
            }
            while (p.notesServed < notes.size() && lines.size() < maxRows) lines.add(notes.get(p.notesServed++));
            while (p.ownServed < p.ownLines.size() && lines.size() < maxRows) lines.add(p.ownLines.get(p.ownServed++));
        }
        if (lines.isEmpty() && p.sentOk()) return null;
        return rows(lines, p.session.clientProtocol());
    }

    private static TRowSet rows(List<String> lines, TProtocolVersion protocol) {
        TRowSet set = new TRowSet(0, new ArrayList<>());
        if (protocol.getValue() >= TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V6.getValue()) {
            set.setColumns(List.of(TColumn.stringVal(new TStringColumn(lines, ByteBuffer.allocate(0)))));
        } else {
            for (String line : lines) {
                TStringValue value = new TStringValue();
                value.setValue(line);
                set.addToRows(new TRow(List.of(TColumnValue.stringVal(value))));
            }
        }
        return set;
    }
}
