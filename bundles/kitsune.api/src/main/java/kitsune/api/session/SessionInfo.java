package kitsune.api.session;

import java.time.Instant;

/**
 * One open client session as operators see it.
 *
 * @param engine host:port of the engine serving it, or empty while it has none
 */
public record SessionInfo(String id, String user, String clientAddress, String engine, Instant opened,
        Instant lastAccess, int openOperations) {
}
