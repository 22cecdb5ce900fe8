package kitsune.api.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The server's view of ZooKeeper (embedded or external): reading registered servers and engines and
 * serialising engine launches. Provided by the HA bundle.
 */
@ProviderType
public interface Discovery {
    /** The connect string of the ensemble in use (the embedded server's address in pseudo mode). */
    String connectString();

    /** The server space, e.g. "kyuubi". */
    String namespace();

    /**
     * The service nodes under a path, oldest first; empty if the path does not exist.
     *
     * @throws DiscoveryException when ZooKeeper cannot be reached in time
     */
    List<ServiceNode> list(String path) throws DiscoveryException;

    /**
     * When the node at the path was created (ZooKeeper's ctime), or empty if it does not exist or this provider cannot
     * tell.
     *
     * @throws DiscoveryException when ZooKeeper cannot be reached in time
     */
    default Optional<Instant> created(String path) throws DiscoveryException {
        return Optional.empty();
    }

    /** The newest engine registered in the space, if any. */
    default Optional<ServiceNode> findEngine(EngineSpace space) throws DiscoveryException {
        List<ServiceNode> nodes = list(space.path());
        return nodes.isEmpty() ? Optional.empty() : Optional.of(nodes.get(nodes.size() - 1));
    }

    /** The engine in the space that registered with this reference id, if any. */
    default Optional<ServiceNode> findEngine(EngineSpace space, String refId) throws DiscoveryException {
        return list(space.path()).stream().filter(n -> refId.equals(n.refId())).findFirst();
    }

    /**
     * Runs the action holding the inter-process lock at lockPath.
     *
     * @throws DiscoveryException naming the path when the lock is not acquired within the timeout
     */
    <T> T withLock(String lockPath, Duration timeout, Callable<T> action) throws Exception;

    /**
     * Before an engine is launched into the space: with engine ACLs on, creates the space's nodes (or gives an
     * existing space node its ACL) so that only this space's engine identity besides the servers' may register in
     * it, and returns that identity with the ACL the engine's node gets. Without ACLs: {@link EngineZkIdentity#NONE}.
     *
     * @throws DiscoveryException naming the node when ZooKeeper cannot be reached or a node of the space belongs to
     *                            another identity
     */
    default EngineZkIdentity prepareEngineSpace(EngineSpace space) throws DiscoveryException {
        return EngineZkIdentity.NONE;
    }

    /** Deletes a node; false if it did not exist. */
    boolean delete(String path) throws DiscoveryException;

    /**
     * Writes a small persistent record (a session's, for instance), creating it and its parents or replacing it.
     *
     * @throws DiscoveryException naming the path
     */
    void write(String path, byte[] data) throws DiscoveryException;

    /** The record at path, or empty when there is none. */
    Optional<byte[]> read(String path) throws DiscoveryException;

    /** The names of the nodes under path, empty when there is no such path. */
    List<String> children(String path) throws DiscoveryException;
}
