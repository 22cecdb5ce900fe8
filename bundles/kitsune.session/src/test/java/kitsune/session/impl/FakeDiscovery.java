package kitsune.session.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import kitsune.api.registry.Discovery;
import kitsune.api.registry.ServiceNode;

/** Engine nodes kept in memory; locks are recorded and taken in-process. */
final class FakeDiscovery implements Discovery {
    final Map<String, List<ServiceNode>> nodes = new ConcurrentHashMap<>();
    final List<String> locks = new CopyOnWriteArrayList<>();

    /** A node of an engine that takes logins proving the engine secret, as engines register by default. */
    void register(String spacePath, int port, String refId) {
        register(spacePath, port, refId, "kitsune.engine.auth=HMAC;");
    }

    /** A node with these attributes ({@code k=v;} each) in its name. */
    void register(String spacePath, int port, String refId, String attributes) {
        String name = "serverUri=127.0.0.1:" + port + ";version=1;" + attributes + "refId=" + refId
                + ";sequence=000000000"
                + nodes.getOrDefault(spacePath, List.of()).size();
        nodes.computeIfAbsent(spacePath, p -> new CopyOnWriteArrayList<>())
                .add(ServiceNode.parse(spacePath, name, "127.0.0.1:" + port));
    }

    @Override
    public String connectString() {
        return "127.0.0.1:2181";
    }

    @Override
    public String namespace() {
        return "kyuubi";
    }

    @Override
    public List<ServiceNode> list(String path) {
        return new ArrayList<>(nodes.getOrDefault(path, List.of()));
    }

    @Override
    public synchronized <T> T withLock(String lockPath, Duration timeout, Callable<T> action) throws Exception {
        locks.add(lockPath);
        return action.call();
    }

    @Override
    public boolean delete(String path) {
        boolean deleted = records.remove(path) != null;
        for (List<ServiceNode> list : nodes.values()) deleted |= list.removeIf(n -> n.path().equals(path));
        return deleted;
    }

    /** Records by path, as a ZooKeeper keeps them. */
    final Map<String, byte[]> records = new ConcurrentHashMap<>();

    @Override
    public void write(String path, byte[] data) {
        records.put(path, data.clone());
    }

    @Override
    public java.util.Optional<byte[]> read(String path) {
        return java.util.Optional.ofNullable(records.get(path)).map(byte[]::clone);
    }

    @Override
    public List<String> children(String path) {
        String prefix = path + "/";
        return records.keySet().stream().filter(k -> k.startsWith(prefix)).map(k -> k.substring(prefix.length()))
                .toList();
    }
}
