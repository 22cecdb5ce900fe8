package kitsune.ha.impl;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.nodes.PersistentNodeListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ServerEndpoint;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkPaths;
import kitsune.internal.threads.NamedThreads;

/**
 * This server's znode {@code /<namespace>/serverUri=<host>:<port>;version=<v>;sequence=<10 digits>}, kept by
 * Curator's PersistentNode (re-created after a session expiry), plus a watch that tells when someone else deleted
 * it: then the PersistentNode is closed, so the node is NOT re-created, and the listener is told (drain).
 *
 * <p>Watch events arrive on ZooKeeper's event thread; they are handled on this class's own thread so that no
 * ZooKeeper call ever waits on the event thread.
 */
final class ServerRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerRegistration.class);

    /** Told once when the node was deleted by someone else. */
    interface DeregistrationListener {
        void deregistered(String hostPort, String path);
    }

    private final CuratorFramework client;
    private final String namespacePath;
    private final String version;
    private final boolean publishConfigs;
    private final Duration creationTimeout;
    private final String ensemble;
    private final DeregistrationListener listener;
    private final ExecutorService events;

    private final CuratorWatcher watcher = this::onEvent;
    private final ConnectionStateListener stateListener = this::onState;
    private final PersistentNodeListener nodeListener = path -> submit(this::rearm);

    // guarded by this
    private PersistentNode node;
    private ServerEndpoint endpoint;
    private boolean deregistered;
    /** ZooKeeper session owning the node as last seen by the watch (0 = unknown). */
    private long watchedOwner;

    ServerRegistration(CuratorFramework client, String namespace, String version, boolean publishConfigs,
            Duration creationTimeout, String ensemble, DeregistrationListener listener) {
        this.client = client;
        this.namespacePath = ZkPaths.namespacePath(namespace);
        this.version = version;
        this.publishConfigs = publishConfigs;
        this.creationTimeout = creationTimeout;
        this.ensemble = ensemble;
        this.listener = listener;
        this.events = Executors.newSingleThreadExecutor(NamedThreads.daemon("kitsune-ha-registration-events"));
        client.getConnectionStateListenable().addListener(stateListener);
    }

    /** The znode data: host:port, or Hive's key=value form with kyuubi.ha.zookeeper.publish.configs=true. */
    static String data(ServerEndpoint ep, boolean publishConfigs) {
        if (!publishConfigs) return ServiceNode.plainData(ep.host(), ep.port());
        return "hive.server2.thrift.bind.host=" + ep.host()
                + ";hive.server2.transport.mode=binary"
                + ";hive.server2.thrift.port=" + ep.port()
                + ";hive.server2.authentication=" + ep.authentication()
                + ";hive.server2.use.SSL=" + ep.ssl();
    }

    /**
     * Creates the node and arms the watch; waits up to kyuubi.ha.zookeeper.node.creation.timeout.
     *
     * @return the node's path
     */
    synchronized String register(ServerEndpoint ep) throws Exception {
        if (deregistered) {
            throw new IllegalStateException("This server was de-registered from ZooKeeper and is draining");
        }
        if (node != null) unregister();
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(namespacePath);
        } catch (KeeperException.NodeExistsException ignore) {
            // already there
        }
        String base = namespacePath + "/" + ServiceNode.namePrefix(ep.host(), ep.port(), version, Map.of(), null);
        PersistentNode pn = new PersistentNode(client, CreateMode.EPHEMERAL_SEQUENTIAL, false, base,
                data(ep, publishConfigs).getBytes(StandardCharsets.UTF_8));
        pn.getListenable().addListener(nodeListener);
        pn.start();
        boolean created;
        try {
            created = pn.waitForInitialCreate(creationTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            pn.close();
            throw e;
        }
        if (!created) {
            pn.close();
            throw new DiscoveryException("Unable to create a znode for this server instance: " + ep.hostPort()
                    + " (not created within " + creationTimeout.toMillis() + " ms on ZooKeeper " + ensemble
                    + "; see kyuubi.ha.zookeeper.node.creation.timeout)");
        }
        String path = pn.getActualPath();
        node = pn;
        endpoint = ep;
        Stat stat = client.checkExists().usingWatcher(watcher).forPath(path);
        watchedOwner = stat == null ? 0 : stat.getEphemeralOwner();
        if (stat == null) {
            node = null;
            endpoint = null;
            pn.close();
            throw new DiscoveryException("Unable to create znode for this Kitsune instance[" + ep.hostPort()
                    + "] on ZooKeeper " + ensemble + ".");
        }
        LOG.info("Created a {} on ZooKeeper for Kitsune server uri: {}", path, ep.hostPort());
        LOG.info("Registered in namespace {} on ZooKeeper {}", namespacePath, ensemble);
        return path;
    }

    /** Removes this server's node (the endpoint went away, or the bundle stops). Not a de-registration event. */
    synchronized void unregister() {
        PersistentNode pn = node;
        ServerEndpoint ep = endpoint;
        node = null;
        endpoint = null;
        if (pn == null) return;
        String path = pn.getActualPath();
        if (closeBounded(pn, path)) {
            LOG.info("Removed {} from ZooKeeper (server uri {})", path, ep == null ? "?" : ep.hostPort());
        }
    }

    /**
     * PersistentNode.close() deletes the node synchronously, with Curator's retries: while ZooKeeper is down that
     * can take (connection timeout x retries). Waits at most min(10 s, creation timeout); the ephemeral node goes
     * with the session anyway when the client closes.
     */
    private boolean closeBounded(PersistentNode pn, String path) {
        Thread t = NamedThreads.daemon("kitsune-ha-unregister").newThread(() -> {
            try {
                pn.close();
            } catch (Exception e) {
                LOG.warn("Could not remove {} from ZooKeeper {}: {}", path, ensemble, e.toString());
            }
        });
        t.start();
        try {
            t.join(Math.min(10_000, Math.max(1_000, creationTimeout.toMillis())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("Could not remove {} from ZooKeeper {} in time; it disappears with this server's session", path,
                    ensemble);
            return false;
        }
        return true;
    }

    synchronized String path() {
        return node == null ? null : node.getActualPath();
    }

    synchronized boolean isDeregistered() {
        return deregistered;
    }

    private void onEvent(WatchedEvent event) {
        EventType type = event.getType();
        if (type == EventType.None) return; // connection events; the state listener handles those
        submit(() -> handle(type, event.getPath()));
    }

    private void handle(EventType type, String eventPath) {
        PersistentNode pn;
        ServerEndpoint ep;
        synchronized (this) {
            pn = node;
            ep = endpoint;
            if (pn == null || deregistered) return;
            String path = pn.getActualPath();
            if (path == null || !path.equals(eventPath)) {
                // an older path (e.g. before a re-registration); keep watching the current one
                if (type != EventType.NodeDeleted) rearmLocked();
                return;
            }
            if (type != EventType.NodeDeleted) {
                // NodeCreated (after a re-creation), NodeDataChanged: one-shot watch, set it again
                if (type == EventType.NodeDataChanged) LOG.warn("The data of {} was changed on ZooKeeper", path);
                rearmLocked();
                return;
            }
            long owner = watchedOwner;
            long session = currentSession();
            if (owner != 0 && session != 0 && owner != session) {
                // The node still belonged to a session that expired while this server was cut off (the recipe had
                // adopted it on reconnect); ZooKeeper removed it when that old session expired. Not an operator's
                // delete: the recipe re-creates it under the current session.
                LOG.info("{} of the expired ZooKeeper session 0x{} was removed; it is re-created under session 0x{}",
                        path, Long.toHexString(owner), Long.toHexString(session));
                watchedOwner = 0;
                rearmLocked();
                return;
            }
            deregistered = true;
            node = null;
            endpoint = null;
        }
        String path = eventPath;
        LOG.warn("This Kitsune instance {} is now de-registered from ZooKeeper. The server will be shut down after "
                + "the last session is finished.", ep.hostPort());
        try {
            pn.close(); // stops re-creation; deletes the node again should the recipe have raced to re-create it
        } catch (Exception e) {
            LOG.warn("Closing the registration of {} failed: {}", path, e.toString());
        }
        try {
            listener.deregistered(ep.hostPort(), path);
        } catch (RuntimeException e) {
            LOG.error("De-registration handling failed: {}", e.toString(), e);
        }
    }

    private void onState(CuratorFramework c, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            // After a session expiry the old watch is gone; PersistentNode re-creates the node by itself.
            submit(this::rearm);
        }
    }

    private void submit(Runnable r) {
        try {
            events.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closing
        }
    }

    private synchronized void rearm() {
        rearmLocked();
    }

    private void rearmLocked() {
        if (node == null || deregistered) return;
        String path = node.getActualPath();
        if (path == null) return;
        try {
            // exists-watch: fires NodeCreated if the node is not back yet, NodeDeleted once it is there
            client.checkExists().usingWatcher(watcher).inBackground((c, e) -> {
                Stat st = e.getStat();
                if (st != null) owner(path, st.getEphemeralOwner());
            }).forPath(path);
        } catch (Exception e) {
            LOG.warn("Could not watch {} on ZooKeeper {}: {}", path, ensemble, e.toString());
        }
    }

    private synchronized void owner(String path, long owner) {
        if (node != null && path.equals(node.getActualPath())) watchedOwner = owner;
    }

    /** This client's current ZooKeeper session id, 0 when not known. */
    private long currentSession() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    @Override
    public void close() {
        client.getConnectionStateListenable().removeListener(stateListener);
        unregister();
        events.shutdownNow();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
