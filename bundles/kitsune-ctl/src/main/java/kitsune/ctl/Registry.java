package kitsune.ctl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkAuth;

/** The CLI's ZooKeeper client: one Curator client per command, connected within a bounded wait. */
final class Registry implements AutoCloseable {
    private final CuratorFramework client;
    private final String quorum;

    private Registry(CuratorFramework client, String quorum) {
        this.client = client;
        this.quorum = quorum;
    }

    /**
     * Connects to the ensemble.
     *
     * @throws CtlException "Cannot connect to ZooKeeper at Q within N ms" when no server answers in time
     */
    static Registry connect(String quorum, Duration wait, Duration sessionTimeout, ZkAuth auth) throws CtlException {
        checkResolvable(quorum);
        int waitMs = (int) Math.min(Integer.MAX_VALUE, wait.toMillis());
        List<ACL> acl = auth.serverAcls() ? readByAllWritableByCreator() : ZooDefs.Ids.OPEN_ACL_UNSAFE;
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(quorum)
                .sessionTimeoutMs((int) Math.min(Integer.MAX_VALUE, Math.max(sessionTimeout.toMillis(), waitMs)))
                .connectionTimeoutMs(waitMs)
                .retryPolicy(new RetryNTimes(1, 500))
                .ensembleTracker(false)
                // create server writes server nodes (and their namespace): protected as the servers protect theirs
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
        CuratorFramework client = builder.build();
        boolean connected = false;
        try {
            client.start();
            connected = client.blockUntilConnected(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            client.close();
            throw CtlException.failed("Cannot connect to ZooKeeper at " + quorum + ": " + e.getMessage());
        }
        if (!connected) {
            client.close();
            throw CtlException.failed("Cannot connect to ZooKeeper at " + quorum + " within " + waitMs + " ms");
        }
        return new Registry(client, quorum);
    }

    /** Anyone reads; only the creating identity changes, deletes or adds children. */
    private static List<ACL> readByAllWritableByCreator() {
        List<ACL> acl = new ArrayList<>(ZooDefs.Ids.READ_ACL_UNSAFE);
        acl.addAll(ZooDefs.Ids.CREATOR_ALL_ACL);
        return Collections.unmodifiableList(acl);
    }

    /** Fails fast, naming the host, when no host of the quorum resolves. */
    private static void checkResolvable(String quorum) throws CtlException {
        String hosts = quorum;
        int slash = hosts.indexOf('/');
        if (slash >= 0) hosts = hosts.substring(0, slash); // chroot suffix
        List<String> unknown = new ArrayList<>();
        int total = 0;
        for (String hp : hosts.split(",")) {
            hp = hp.trim();
            if (hp.isEmpty()) continue;
            total++;
            String host = hp;
            if (host.startsWith("[")) {
                int end = host.indexOf(']');
                host = end > 0 ? host.substring(1, end) : host;
            } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
                host = host.substring(0, host.indexOf(':'));
            }
            try {
                InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                unknown.add(host);
            }
        }
        if (total == 0) throw CtlException.usage("The ZooKeeper quorum is empty");
        if (unknown.size() == total) {
            throw CtlException.failed("Cannot connect to ZooKeeper at " + quorum + ": unknown host "
                    + String.join(", ", unknown));
        }
    }

    String quorum() {
        return quorum;
    }

    /** The service nodes under a path, sorted by node name; none when the path does not exist. */
    List<ServiceNode> serviceNodes(String parentPath) throws CtlException {
        List<ServiceNode> nodes = new ArrayList<>();
        for (String name : children(parentPath)) {
            String data;
            try {
                data = new String(client.getData().forPath(parentPath + "/" + name), StandardCharsets.UTF_8);
            } catch (KeeperException.NoNodeException e) {
                continue; // gone meanwhile
            } catch (Exception e) {
                throw failure("read " + parentPath + "/" + name, e);
            }
            ServiceNode node = ServiceNode.parse(parentPath, name, data);
            if (node != null) nodes.add(node);
        }
        nodes.sort(Comparator.comparing(ServiceNode::name));
        return nodes;
    }

    /** The children's names, sorted; none when the path does not exist. */
    List<String> children(String path) throws CtlException {
        try {
            List<String> names = new ArrayList<>(client.getChildren().forPath(path));
            names.sort(null);
            return names;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw failure("list " + path, e);
        }
    }

    byte[] data(String path) throws CtlException {
        try {
            return client.getData().forPath(path);
        } catch (Exception e) {
            throw failure("read " + path, e);
        }
    }

    /** Deletes one node (not its children). */
    void delete(String path) throws Exception {
        client.delete().forPath(path);
    }

    /** Creates {@code prefix} + sequence as PERSISTENT_SEQUENTIAL (parents as needed); returns the actual path. */
    String createPersistentSequential(String prefixPath, byte[] data) throws CtlException {
        try {
            return client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(prefixPath, data);
        } catch (Exception e) {
            throw failure("create " + prefixPath, e);
        }
    }

    /** Why ZooKeeper refused a change, and the fix. */
    static final String NO_AUTH = "NoAuth: the node is protected by the servers' ZooKeeper identity; set "
            + ConfigKeys.HA_ZK_AUTH_TYPE.name() + "=DIGEST and " + ConfigKeys.HA_ZK_AUTH_DIGEST.name()
            + " (or KERBEROS and " + ConfigKeys.HA_ZK_AUTH_PRINCIPAL.name() + "/" + ConfigKeys.HA_ZK_AUTH_KEYTAB.name()
            + ") as on the servers (conf file or --conf)";

    private CtlException failure(String what, Exception e) {
        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        String cause = e instanceof KeeperException.NoAuthException ? NO_AUTH
                : e instanceof KeeperException ke ? ke.code().name() + (ke.getPath() != null ? " " + ke.getPath() : "")
                : e.toString();
        return CtlException.failed("Cannot " + what + " on ZooKeeper at " + quorum + ": " + cause);
    }

    @Override
    public void close() {
        client.close();
    }
}
