package kitsune.console.impl;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.engine.EngineConf;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkAuth;

/**
 * Walks the engine spaces in ZooKeeper ({@code /<ns>_<version>_<SHARELEVEL>_<TYPE>/<user>/<subdomain>/serverUri=...})
 * with a read-only client of its own: {@link kitsune.api.registry.Discovery} lists the service nodes under a known
 * path but not the spaces, users and subdomains above them. Only this class touches org.apache.zookeeper (an
 * optional import).
 */
final class EngineTree implements AutoCloseable {
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final long CONNECT_WAIT_MS = 10_000;

    /** An engine registered in an engine space. */
    /**
     * @param application the Spark application (and standalone driver) id, as {@link EngineConf#application}
     * @param master      the master and deploy mode, as {@link EngineConf#master}
     */
    record EngineRow(String user, String shareLevel, String subdomain, String engineType, String versionSlot,
            String hostPort, String refId, String application, String master, String znode, Instant created) {
        Duration age() {
            return created == null ? null : Duration.between(created, Instant.now());
        }
    }

    private final String connectString;
    private final ZooKeeper zk;
    private final CountDownLatch connected = new CountDownLatch(1);

    /**
     * @param auth the server's ZooKeeper identity: engine spaces are readable by anyone, but this client logs in as
     *             the server does, as every ZooKeeper client of Kitsune does
     */
    EngineTree(String connectString, ZkAuth auth) throws DiscoveryException {
        this.connectString = connectString;
        try {
            this.zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, event -> {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
            });
            if (auth.authenticated()) zk.addAuthInfo(ZkAuth.DIGEST_SCHEME, auth.digestBytes());
        } catch (Exception e) {
            throw new DiscoveryException("Cannot connect to ZooKeeper " + connectString + " to list engines: " + e, e);
        }
    }

    boolean usable(String connect) {
        return connectString.equals(connect) && zk.getState().isAlive();
    }

    List<EngineRow> engines(String namespace) throws DiscoveryException {
        try {
            if (!connected.await(CONNECT_WAIT_MS, TimeUnit.MILLISECONDS) || !zk.getState().isConnected()) {
                throw new DiscoveryException("Cannot list engines: ZooKeeper " + connectString
                        + " is not reachable (no connection within " + CONNECT_WAIT_MS + " ms)");
            }
            List<EngineRow> rows = new ArrayList<>();
            for (String space : children("/")) {
                Space s = Space.parse(namespace, space);
                if (s == null) continue;
                for (String user : children("/" + space)) {
                    for (String sub : children("/" + space + "/" + user)) {
                        String parent = "/" + space + "/" + user + "/" + sub;
                        for (String name : children(parent)) {
                            Stat stat = new Stat();
                            byte[] data;
                            try {
                                data = zk.getData(parent + "/" + name, false, stat);
                            } catch (KeeperException.NoNodeException gone) {
                                continue;
                            }
                            ServiceNode n = ServiceNode.parse(parent, name,
                                    data == null ? null : new String(data, StandardCharsets.UTF_8));
                            if (n == null) continue;
                            rows.add(new EngineRow(user, s.shareLevel, sub, s.engineType, s.version, n.hostPort(),
                                    n.refId(), EngineConf.application(n.attributes()),
                                    EngineConf.master(n.attributes()), n.path(),
                                    Instant.ofEpochMilli(stat.getCtime())));
                        }
                    }
                }
            }
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DiscoveryException("Interrupted while listing engines in ZooKeeper " + connectString, e);
        } catch (KeeperException e) {
            throw new DiscoveryException("Cannot list engines in ZooKeeper " + connectString + ": " + e, e);
        }
    }

    private List<String> children(String path) throws KeeperException, InterruptedException {
        try {
            List<String> c = new ArrayList<>(zk.getChildren(path, false));
            c.sort(null);
            return c;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        try {
            zk.close(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code <ns>_<version>_<SHARELEVEL>_<TYPE>}; the version may itself hold underscores, the type does too. */
    record Space(String version, String shareLevel, String engineType) {
        static Space parse(String namespace, String name) {
            String prefix = namespace + "_";
            if (!name.startsWith(prefix) || name.endsWith("_lock")) return null;
            String rest = name.substring(prefix.length());
            for (ShareLevel level : ShareLevel.values()) {
                String marker = "_" + level.name() + "_";
                int i = rest.lastIndexOf(marker);
                if (i > 0 && i + marker.length() < rest.length()) {
                    return new Space(rest.substring(0, i), level.name(), rest.substring(i + marker.length()));
                }
            }
            return null;
        }
    }
}
