package kitsune.api.metrics;

import java.time.Duration;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Records what the server does, for its metrics. Registered by the metrics bundle (which may be absent, stopped or
 * replaced while the server serves): callers hold it as an optional dynamic reference and call it on their own
 * threads, so an implementation returns at once and never throws. Every method does nothing by default, so that
 * {@code new ServerMetrics() {}} is the recorder to use while none is registered and a method added later does not
 * break an implementation.
 * <p>
 * States (drain, ZooKeeper connection) are told when they change and again to each newly bound service, so a
 * replaced metrics bundle starts from the truth. User names are passed as they are; whether they become labels is
 * the implementation's choice (kitsune.metrics.user.labels).
 */
@ConsumerType
public interface ServerMetrics {
    /** Outcome of an engine launch whose engine registered. */
    String ENGINE_STARTED = "started";
    /** Outcome of an engine launch that ended without its engine registering. */
    String ENGINE_FAILED = "failed";
    /** Outcome of an engine launch that did not register within kyuubi.session.engine.initialize.timeout. */
    String ENGINE_TIMEOUT = "timeout";

    /** A client session was opened (Kyuubi's kyuubi.connection.total). */
    default void connectionOpened(String user) {
    }

    /** OpenSession was answered with an error (Kyuubi's kyuubi.connection.failed). */
    default void connectionFailed(String user) {
    }

    /** A login was refused by the authenticator of that type (NONE, LDAP, JDBC, CUSTOM, ...). */
    default void loginFailed(String authenticator, String user) {
    }

    /** ExecuteStatement was accepted by the engine (Kyuubi's kyuubi.statement.total). */
    default void statementOpened(String user) {
    }

    /**
     * A statement reached its end: {@code outcome} is the lower-case final state (finished, error, canceled,
     * timedout, closed when the client closed it before seeing it end); {@code latency} from ExecuteStatement.
     */
    default void statementEnded(String user, String outcome, Duration latency) {
    }

    /** An engine launch ended ({@link #ENGINE_STARTED}, {@link #ENGINE_FAILED}, {@link #ENGINE_TIMEOUT}). */
    default void engineLaunched(String engineType, String outcome, Duration took) {
    }

    /** One TCLIService call of a client (OpenSession, ExecuteStatement, FetchResults, ...) took this long. */
    default void backendCall(String method, long nanos) {
    }

    /** The threads of the frontend's worker pool: alive (started) and active (running a call). */
    default void execPool(int alive, int active) {
    }

    /** This server's ZooKeeper connection: CONNECTED, SUSPENDED, RECONNECTED, LOST or READ_ONLY (Curator's names). */
    default void zooKeeperState(String state) {
    }

    /** Whether this server refuses new sessions (drains). */
    default void draining(boolean draining) {
    }
}
