package kitsune.api.registry;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Graceful stop of this server, provided by the HA bundle and called by the shutdown hook (SIGTERM,
 * {@code bin/kitsune stop}) before the framework stops.
 */
@ProviderType
public interface ServerLifecycle {
    /**
     * Target filter of the {@code org.osgi.service.condition.Condition} service registered once the runtime has
     * started all its bundles, the hot-swappable ones (engine providers, console) included.
     */
    String RUNTIME_STARTED = "(osgi.condition.id=kitsune.runtime.started)";

    /**
     * Target filter of the {@code org.osgi.service.condition.Condition} service registered by the HA bundle once this
     * server serves: right after its ready line ({@code Starting and exposing JDBC connection at: ...}), that is once
     * it is registered in ZooKeeper and the runtime has started every bundle. Withdrawn when the server starts to
     * drain or stops. For what should be announced only to a serving server (the console's line).
     */
    String SERVING = "(osgi.condition.id=kitsune.server.serving)";

    /**
     * Drains this server: removes its node from ZooKeeper (so that clients going through service discovery reach
     * other servers), refuses new sessions, and waits until the open sessions are closed or {@code bound} has
     * passed; sessions still open then are closed. Does not stop the server: the caller does that afterwards. If a
     * drain is already running (the node was deleted), its end is brought forward to {@code bound} at the latest.
     *
     * @param bound the longest wait; zero or negative waits for nothing and closes what is open
     * @return the number of sessions closed because the bound passed (0 when every session finished by itself)
     * @throws InterruptedException when the calling thread is interrupted: the caller wants to stop at once
     */
    int drain(Duration bound) throws InterruptedException;

    /**
     * Starts the drain that deleting this server's node in ZooKeeper starts, for an operator's tool on this server
     * (the console, its shell commands): refuses new sessions, leaves ZooKeeper, and stops the server after its last
     * session or when kitsune.server.drain.timeout has passed. Returns at once.
     *
     * @param requestedBy who asked, for the log
     * @return false when this server is already draining or stopping (nothing more is done)
     */
    boolean startDrain(String requestedBy);
}
