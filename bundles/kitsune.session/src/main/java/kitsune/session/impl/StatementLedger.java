package kitsune.session.impl;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import kitsune.api.events.OperationEvent;

/**
 * The statements (ExecuteStatement operations) of this server's sessions not yet seen to end: when one is first seen
 * to end (or is closed before), its latency goes to the metrics and its outcome to the audit and event logs.
 */
final class StatementLedger {
    private final EngineLocator locator;
    private final Clock clock;
    /** By operation key. */
    private final Map<String, Statement> statements = new ConcurrentHashMap<>();

    /** @param createTime epoch ms of ExecuteStatement, for the event log */
    private record Statement(String user, long startNanos, String statementId, ServerSession session, String text,
            long createTime) {
    }

    StatementLedger(EngineLocator locator, Clock clock) {
        this.locator = locator;
        this.clock = clock;
    }

    /** A statement the engine accepted: counted open until it is seen to end. */
    void started(String key, ServerSession s, long startNanos, String statementId, String text, long createTime) {
        statements.put(key, new Statement(s.user(), startNanos, statementId, s, text, createTime));
        locator.metrics().statementOpened(s.user());
    }

    /** Whether that operation is a statement not yet seen to end. */
    boolean running(String key) {
        return statements.containsKey(key);
    }

    /** A statement refused at once (by the engine or the server): it ends here. */
    void refused(ServerSession s, String statementId, String text, long createTime, String error) {
        locator.events().statementEnded(new OperationEvent(statementId, s.id().toString(), s.user(),
                s.client() == null ? null : s.client().clientAddress(), text, "ERROR", createTime, clock.millis(),
                error));
    }

    /** The first time a statement is seen to end (or is closed before): its latency goes to the metrics. */
    void ended(String key, String outcome) {
        ended(key, outcome, null);
    }

    /** ... and to the audit and event logs, with the error the client reads (null when none). */
    void ended(String key, String outcome, String error) {
        Statement st = statements.remove(key);
        if (st != null) {
            locator.metrics().statementEnded(st.user(), outcome.toLowerCase(java.util.Locale.ROOT),
                    Duration.ofNanos(System.nanoTime() - st.startNanos()));
            ServerSession s = st.session();
            locator.events().statementEnded(new OperationEvent(st.statementId(), s.id().toString(), st.user(),
                    s.client() == null ? null : s.client().clientAddress(), st.text(),
                    "TIMEDOUT".equals(outcome) ? "TIMEOUT" : outcome, st.createTime(), clock.millis(), error));
        }
    }
}
