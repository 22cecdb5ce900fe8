package kitsune.engine.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.engine.ShareLevel;
import kitsune.api.engine.EngineConf;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkAuth;

/**
 * The engine's node in its engine space, as Kyuubi's engines write it: EPHEMERAL_SEQUENTIAL
 * {@code serverUri=h:p;version=v;kyuubi.engine.id=<app id>;refId=r;sequence=N}, data {@code h:p}, parents
 * PERSISTENT. A Curator PersistentNode re-creates it after a ZooKeeper session expiry; a deletion by anyone else
 * (kitsune-ctl delete engine, a server) means "drain": the node is not re-created and the engine is told once.
 */
final class EngineRegistration {
    private static final Logger LOG = LoggerFactory.getLogger(EngineRegistration.class);

    private final EngineSettings settings;
    /** The ZooKeeper session that owned the node when it was last watched. */
    private volatile long watchedOwner;
    private final CuratorFramework client;
    private final Executor callbacks;
    private final Runnable onDeregistered;
    private PersistentNode node;
    private volatile boolean deregistered;

    /**
     * @param callbacks     runs the reactions to ZooKeeper events off ZooKeeper's event thread
     * @param onDeregistered called once when someone else deleted the node
     */
    EngineRegistration(EngineSettings settings, Executor callbacks, Runnable onDeregistered) {
        this.settings = settings;
        this.callbacks = callbacks;
        this.onDeregistered = onDeregistered;
        ZkAuth auth = settings.zkAuth();
        // as the server computed it: anyone reads (servers and the Hive driver find engines); this engine's identity
        // and the servers' change it
        List<ACL> acl = nodeAcl(settings.zkNodeAcl());
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(settings.zkAddresses())
                .sessionTimeoutMs((int) settings.zkSessionTimeout().toMillis())
                .connectionTimeoutMs((int) settings.zkConnectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry(1000, 3))
                // the engine space's parents and the engine's node
                .aclProvider(new ACLProvider() {
                    @Override
                    public List<ACL> getDefaultAcl() {
                        return acl;
                    }

                    @Override
                    public List<ACL> getAclForPath(String path) {
                        return acl;
                    }
                });
        if (auth.digestAuthenticated()) builder.authorization(ZkAuth.DIGEST_SCHEME, auth.digestBytes());
        if (auth.kerberos()) {
            // SASL/GSSAPI from the keytab: the JAAS section is named in this client's own ZKClientConfig
            org.apache.zookeeper.client.ZKClientConfig zc = new org.apache.zookeeper.client.ZKClientConfig();
            auth.zkClientProperties().forEach(zc::setProperty);
            builder.zkClientConfig(zc);
        }
        client = builder.build();
        LOG.info("ZooKeeper {}: {}", settings.zkAddresses(), auth);
    }

    /** {@code perms:scheme:id} entries as ACLs; none: open to anyone (no ACLs configured). */
    static List<ACL> nodeAcl(List<String> entries) {
        if (entries.isEmpty()) return ZooDefs.Ids.OPEN_ACL_UNSAFE;
        List<ACL> acl = new ArrayList<>();
        for (String e : entries) {
            int first = e.indexOf(':');
            int second = first < 0 ? -1 : e.indexOf(':', first + 1);
            if (second < 0) {
                throw new IllegalArgumentException("Invalid entry in " + EngineConf.ZK_ENGINE_NODE_ACL
                        + ": expected perms:scheme:id, got '" + e + "'");
            }
            acl.add(new ACL(Integer.parseInt(e.substring(0, first)), new org.apache.zookeeper.data.Id(
                    e.substring(first + 1, second), e.substring(second + 1))));
        }
        return Collections.unmodifiableList(acl); // ZooKeeper asks contains(null)
    }

    /** Creates the node and waits for it; returns its path. */
    String register(String host, int port, String engineId, String driverId) throws Exception {
        client.getConnectionStateListenable().addListener((c, state) -> {
            switch (state) {
                case SUSPENDED, LOST -> LOG.warn("ZooKeeper {}: connection {}; the engine keeps serving its sessions",
                        settings.zkAddresses(), state);
                case RECONNECTED -> LOG.info("ZooKeeper {}: reconnected", settings.zkAddresses());
                default -> { }
            }
        });
        client.start();
        long timeout = settings.zkConnectionTimeout().toMillis();
        if (!client.blockUntilConnected((int) timeout, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Could not connect to ZooKeeper at " + settings.zkAddresses()
                    + " within " + timeout + " ms");
        }
        String space = settings.engineSpace();
        if (client.checkExists().forPath(space) == null) {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(space);
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(EngineConf.NODE_APP_ID, engineId);
        // servers log in (prove they know the engine secret) only to engines that say they need it
        if (settings.secret() != null) attributes.put(EngineConf.NODE_AUTH, EngineConf.AUTH_HMAC);
        String prefix = space + "/" + ServiceNode.namePrefix(host, port, settings.spaceVersion(), attributes,
                settings.refId());
        // where the engine runs, for kitsune-ctl, the console and the provider that may have to end it
        Map<String, String> details = new LinkedHashMap<>();
        details.put(EngineConf.NODE_MASTER, settings.master());
        details.put(EngineConf.NODE_DEPLOY_MODE, settings.deployMode());
        if (driverId != null) details.put(EngineConf.NODE_DRIVER_ID, driverId);
        byte[] data = ServiceNode.describedData(host, port, details).getBytes(StandardCharsets.UTF_8);
        node = new PersistentNode(client, CreateMode.EPHEMERAL_SEQUENTIAL, false, prefix, data);
        // every (re-)creation, e.g. after a session expiry, needs a fresh deletion watch: watches are one-shot
        // and belong to the ZooKeeper session that set them
        node.getListenable().addListener(this::watch);
        node.start();
        if (!node.waitForInitialCreate(timeout, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Could not create the engine's node under " + space + " within "
                    + timeout + " ms");
        }
        return node.getActualPath();
    }

    private void watch(String path) throws Exception {
        if (deregistered || path == null) return;
        CuratorWatcher watcher = event -> onEvent(event, path);
        Stat stat = client.checkExists().usingWatcher(watcher).forPath(path);
        watchedOwner = stat == null ? 0 : stat.getEphemeralOwner();
    }

    private void onEvent(WatchedEvent event, String path) {
        // a session expiry arrives as a state event, not NodeDeleted: only a real deletion means "drain"
        if (event.getType() != Watcher.Event.EventType.NodeDeleted || deregistered) return;
        long owner = watchedOwner;
        long session = currentSession();
        if (owner != 0 && session != 0 && owner != session) {
            // After a ZooKeeper outage longer than the session, the recipe adopted the node of the expired session;
            // ZooKeeper removed it when that session expired. Not a drain: the recipe re-creates it (and the
            // listener watches it again) under the current session.
            LOG.info("{} of the expired ZooKeeper session 0x{} was removed; it is re-created under session 0x{}",
                    path, Long.toHexString(owner), Long.toHexString(session));
            return;
        }
        deregistered = true;
        callbacks.execute(() -> {
            LOG.warn("This engine's node {} was deleted from ZooKeeper: the engine is de-registered and stops "
                    + "after its last session", path);
            closeNode();
            onDeregistered.run();
        });
    }

    /** Removes this engine's node itself: it takes no new sessions and drains (as when an operator deletes it). */
    void deregister(String reason) {
        if (deregistered) return;
        deregistered = true;
        callbacks.execute(() -> {
            LOG.info("De-registering this engine: {}; it takes no new sessions and stops after its last session",
                    reason);
            closeNode();
            onDeregistered.run();
        });
    }

    /** This client's ZooKeeper session id now, 0 when not known. */
    private long currentSession() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * Removes the node (and, for CONNECTION engines, their whole one-engine space, as Kyuubi does) and closes the
     * ZooKeeper client.
     */
    void close() {
        deregistered = true;
        if (!client.getZookeeperClient().isConnected()) {
            // Deleting would wait out every retry; the ephemeral node goes with the session anyway.
            LOG.warn("ZooKeeper is unreachable; the engine's node goes when its ZooKeeper session expires");
            client.close();
            return;
        }
        closeNode();
        if (settings.shareLevel() == ShareLevel.CONNECTION) {
            try {
                client.delete().deletingChildrenIfNeeded().forPath(settings.engineSpace());
            } catch (org.apache.zookeeper.KeeperException.NoAuthException e) {
                // with ACLs the server made the space a container node, which ZooKeeper removes once it is empty
                LOG.info("Engine space {} is removed by ZooKeeper once empty", settings.engineSpace());
            } catch (Exception e) {
                LOG.warn("Could not remove engine space {}: {}", settings.engineSpace(), e.toString());
            }
        }
        client.close();
    }

    private synchronized void closeNode() {
        if (node == null) return;
        try {
            node.close();
        } catch (IOException e) {
            LOG.warn("Could not remove the engine's node: {}", e.toString());
        }
        node = null;
    }
}
