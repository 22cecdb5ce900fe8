package kitsune.ha.impl;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ServiceNode;
import kitsune.internal.threads.NamedThreads;

/**
 * Discovery over a Curator client. Every call is bounded by the connection timeout: when ZooKeeper is down the
 * caller gets a DiscoveryException naming the path and the ensemble, never a hang (Curator's own retries could
 * otherwise take connection timeout x retries). Calls run on a small bounded pool so that the caller can stop
 * waiting; a full pool is refused with a clear error.
 */
final class ZooKeeperDiscovery implements Discovery, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperDiscovery.class);

    private final CuratorFramework client;
    private final String connectString;
    private final String namespace;
    private final long timeoutMs;
    private final ThreadPoolExecutor pool;
    /** With ACLs on, what is read must lie under nodes only this server's identity can change. */
    private final AclGuard guard;

    ZooKeeperDiscovery(CuratorFramework client, String connectString, String namespace, Duration callTimeout,
            AclGuard guard) {
        this.client = client;
        this.guard = guard;
        this.connectString = connectString;
        this.namespace = namespace;
        this.timeoutMs = Math.max(1, callTimeout.toMillis());
        this.pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(256),
                NamedThreads.daemon("kitsune-ha-discovery"));
        pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public String connectString() {
        return connectString;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    /**
     * The nodes of a path as last read, valid until ZooKeeper reports a change under it (a one-shot watch set with
     * the read: a node added or removed, the connection lost or the session expired) or for {@link #LISTED_FOR_MS}
     * at most. A session's open looks up its engine space this way without a round trip while the space is unchanged.
     * Nodes' data is not watched: service and engine nodes are written once, when they are created.
     */
    private final Map<String, Listed> listed = new ConcurrentHashMap<>();
    private static final int LISTED_MAX = 1024;
    private static final long LISTED_FOR_MS = 30_000;

    private static final class Listed implements Watcher {
        private final Map<String, Listed> owner;
        private final String path;
        private final long sinceNanos = System.nanoTime();
        private volatile List<ServiceNode> nodes;
        private volatile boolean changed;

        Listed(Map<String, Listed> owner, String path) {
            this.owner = owner;
            this.path = path;
        }

        @Override
        public void process(WatchedEvent event) {
            changed = true;
            owner.remove(path, this);
        }

        List<ServiceNode> current() {
            return changed || System.nanoTime() - sinceNanos > TimeUnit.MILLISECONDS.toNanos(LISTED_FOR_MS) ? null
                    : nodes;
        }
    }

    @Override
    public List<ServiceNode> list(String path) throws DiscoveryException {
        Listed known = listed.get(path);
        List<ServiceNode> cached = known == null ? null : known.current();
        if (cached != null) return cached;
        return bounded("list", path, () -> {
            guard.checkOwned(path, timeoutMs);
            Listed watch = new Listed(listed, path);
            List<String> children;
            try {
                children = client.getChildren().usingWatcher(watch).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            }
            List<ServiceNode> nodes = new ArrayList<>();
            for (String child : children) {
                byte[] data;
                try {
                    data = client.getData().forPath(path.endsWith("/") ? path + child : path + "/" + child);
                } catch (KeeperException.NoNodeException gone) {
                    continue;
                }
                ServiceNode node = ServiceNode.parse(path, child,
                        data == null ? null : new String(data, StandardCharsets.UTF_8));
                if (node != null) nodes.add(node);
            }
            List<ServiceNode> sorted = List.copyOf(ServiceNode.bySequence(nodes));
            watch.nodes = sorted;
            if (listed.size() >= LISTED_MAX) listed.clear(); // many spaces looked up once: start over
            listed.put(path, watch); // a change since the read has marked it changed already
            return sorted;
        });
    }

    @Override
    public kitsune.api.registry.EngineZkIdentity prepareEngineSpace(kitsune.api.registry.EngineSpace space)
            throws DiscoveryException {
        listed.remove(space.path());
        return bounded("prepare", space.path(), () -> {
            guard.checkOwned(space.commonParent() + "/" + space.routingUser(), timeoutMs);
            return guard.prepareEngineSpace(space);
        });
    }

    @Override
    public boolean delete(String path) throws DiscoveryException {
        int slash = path.lastIndexOf('/');
        if (slash > 0) listed.remove(path.substring(0, slash)); // at once, not when the watch reports it
        return bounded("delete", path, () -> {
            try {
                client.delete().forPath(path);
                return true;
            } catch (KeeperException.NoNodeException e) {
                return false;
            }
        });
    }

    @Override
    public void write(String path, byte[] data) throws DiscoveryException {
        bounded("write", path, () -> {
            client.create().orSetData().creatingParentsIfNeeded().forPath(path, data);
            return null;
        });
    }

    @Override
    public Optional<byte[]> read(String path) throws DiscoveryException {
        return bounded("read", path, () -> {
            guard.checkOwned(path, timeoutMs);
            try {
                return Optional.ofNullable(client.getData().forPath(path));
            } catch (KeeperException.NoNodeException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public Optional<Instant> created(String path) throws DiscoveryException {
        return bounded("read", path, () -> {
            guard.checkOwned(path, timeoutMs);
            Stat stat = client.checkExists().forPath(path);
            return stat == null ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(stat.getCtime()));
        });
    }

    @Override
    public List<String> children(String path) throws DiscoveryException {
        return bounded("list", path, () -> {
            guard.checkOwned(path, timeoutMs);
            try {
                return client.getChildren().forPath(path);
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            }
        });
    }

    @Override
    public <T> T withLock(String lockPath, Duration timeout, Callable<T> action) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        awaitConnection("lock", lockPath, deadline);
        bounded("lock", lockPath, () -> {
            guard.checkOwned(lockPath, timeoutMs);
            return null;
        });
        InterProcessSemaphoreMutex lock = new InterProcessSemaphoreMutex(client, lockPath);
        long ms = timeout.toMillis();
        boolean acquired;
        try {
            acquired = lock.acquire(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DiscoveryException("Interrupted while waiting for the lock on path [" + lockPath + "]", e);
        } catch (Exception e) {
            throw new DiscoveryException("Lock failed on path [" + lockPath + "] (ZooKeeper " + connectString + "): "
                    + e, e);
        }
        if (!acquired) {
            throw new DiscoveryException("Timeout to lock on path [" + lockPath + "] after " + ms + " ms. Another "
                    + "session may be launching the engine of this space and taking too long.");
        }
        try {
            return action.call();
        } finally {
            try {
                lock.release();
            } catch (Exception e) {
                LOG.warn("Could not release the lock on path [{}]: {}", lockPath, e.toString());
            }
        }
    }

    private void awaitConnection(String what, String path, long deadline) throws DiscoveryException {
        if (client.getZookeeperClient().isConnected()) return;
        long left = Math.max(0, deadline - System.nanoTime());
        boolean connected;
        try {
            connected = client.blockUntilConnected((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DiscoveryException("Interrupted while waiting for ZooKeeper " + connectString + " to " + what
                    + " " + path, e);
        }
        if (!connected) {
            throw new DiscoveryException("Cannot " + what + " " + path + ": ZooKeeper " + connectString
                    + " is not reachable (no connection within " + timeoutMs + " ms)");
        }
    }

    private <T> T bounded(String what, String path, Callable<T> call) throws DiscoveryException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        awaitConnection(what, path, deadline);
        Future<T> f;
        try {
            f = pool.submit(call);
        } catch (RejectedExecutionException e) {
            throw new DiscoveryException("Cannot " + what + " " + path + ": too many ZooKeeper calls are waiting ("
                    + pool.getQueue().size() + " queued) or discovery is closed");
        }
        try {
            return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new DiscoveryException("Cannot " + what + " " + path + ": ZooKeeper " + connectString
                    + " did not answer within " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new DiscoveryException("Interrupted while waiting for ZooKeeper " + connectString + " to " + what
                    + " " + path, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof DiscoveryException de) throw de;
            throw new DiscoveryException("Cannot " + what + " " + path + " on ZooKeeper " + connectString + ": " + c,
                    c);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
