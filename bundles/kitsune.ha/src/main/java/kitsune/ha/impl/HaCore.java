package kitsune.ha.impl;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.registry.ZkAuth;
import kitsune.internal.threads.NamedThreads;

/**
 * What the HA bundle runs, in order: the embedded ZooKeeper (pseudo mode, when kyuubi.ha.addresses is empty),
 * then the Curator client to it or to the external ensemble, then Discovery over that client. Closed in reverse.
 * Plain Java: the DS component only drives it, tests use it directly.
 */
final class HaCore implements HaRuntime, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HaCore.class);

    private final HaSettings settings;
    private final EmbeddedZooKeeper embedded;
    private final CuratorFramework curator;
    private final ZooKeeperDiscovery discovery;
    private final AclGuard guard;
    private final Thread repair;
    private final String connectString;
    private final ExecutorService curatorSafe;

    private HaCore(HaSettings settings, EmbeddedZooKeeper embedded, CuratorFramework curator, String connectString,
            ExecutorService curatorSafe) {
        this.curatorSafe = curatorSafe;
        this.settings = settings;
        this.embedded = embedded;
        this.curator = curator;
        this.connectString = connectString;
        this.guard = new AclGuard(curator, settings.auth(), settings.namespace());
        this.discovery = new ZooKeeperDiscovery(curator, connectString, settings.namespace(),
                Duration.ofMillis(settings.connectionTimeoutMs()), guard);
        if (guard.active()) {
            // once connected, protect what was created before ACLs were on; checks wait for it
            repair = NamedThreads.daemon("kitsune-ha-acl-repair").newThread(() -> {
                try {
                    if (curator.blockUntilConnected(Integer.MAX_VALUE, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        guard.repairOnce();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            repair.start();
        } else {
            repair = null;
        }
    }

    /**
     * Starts the embedded ZooKeeper if needed and the Curator client (which connects in the background).
     *
     * @throws EmbeddedZooKeeper.StartException with a one-line message when the embedded server cannot start
     */
    static HaCore start(HaSettings s) throws EmbeddedZooKeeper.StartException {
        return start(s, state -> { });
    }

    /** As {@link #start(HaSettings)}, telling {@code onState} each state of the connection (Curator's names). */
    static HaCore start(HaSettings s, java.util.function.Consumer<String> onState)
            throws EmbeddedZooKeeper.StartException {
        EmbeddedZooKeeper zk = null;
        String cs = s.addresses();
        if (s.embedded()) {
            if (s.auth().kerberos()) {
                throw new EmbeddedZooKeeper.StartException(kitsune.api.conf.ConfigKeys.HA_ZK_AUTH_TYPE.name()
                        + "=KERBEROS needs an external ZooKeeper ensemble that accepts SASL logins ("
                        + kitsune.api.conf.ConfigKeys.HA_ADDRESSES.name() + "): the embedded ZooKeeper of pseudo mode "
                        + "has no Kerberos; set " + kitsune.api.conf.ConfigKeys.HA_ADDRESSES.name() + " or use DIGEST",
                        null);
            }
            zk = EmbeddedZooKeeper.of(s);
            if (s.auth().serverAcls() || s.auth().engineAcls()) zk.requireAclChecks();
            zk.start();
            cs = zk.connectString();
        }
        // Curator never shuts down the executor it creates for runSafe(): give it one we stop in close()
        ExecutorService safe = Executors.newSingleThreadExecutor(NamedThreads.daemon("kitsune-ha-curator-safe"));
        try {
            CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                    .runSafeService(safe)
                    .connectString(cs)
                    .sessionTimeoutMs(s.sessionTimeoutMs())
                    .connectionTimeoutMs(s.connectionTimeoutMs())
                    .retryPolicy(RetryPolicies.create(s))
                    // a fixed connect string: never rewritten from the ensemble's dynamic configuration
                    .ensembleTracker(false)
                    // every node this client creates, parents included, gets the ACLs of kyuubi.ha.zookeeper.auth.*
                    .aclProvider(new ZkAcls(s.auth(), s.namespace()));
            // sent again on every reconnect
            if (s.auth().digestAuthenticated()) b.authorization(ZkAuth.DIGEST_SCHEME, s.auth().digestBytes());
            if (s.auth().kerberos()) {
                // SASL/GSSAPI: the client's JAAS section is named in its own ZKClientConfig, not a system property
                org.apache.zookeeper.client.ZKClientConfig zc = new org.apache.zookeeper.client.ZKClientConfig();
                s.auth().zkClientProperties().forEach(zc::setProperty);
                b.zkClientConfig(zc).zookeeperFactory(new PlatformLoaderZooKeeperFactory());
            }
            CuratorFramework c = b.build();
            String ensemble = cs;
            c.getConnectionStateListenable().addListener((client, state) -> {
                logState(ensemble, state);
                onState.accept(state.name());
            });
            c.start();
            LOG.info("ZooKeeper client for {} started ({}; session timeout {} ms, connection timeout {} ms, retry {}; "
                    + "{})", cs, s.embedded() ? "embedded" : "external", s.sessionTimeoutMs(), s.connectionTimeoutMs(),
                    s.retryPolicy(), s.auth());
            return new HaCore(s, zk, c, cs, safe);
        } catch (RuntimeException e) {
            safe.shutdownNow();
            if (zk != null) zk.close();
            throw e;
        }
    }

    private static void logState(String ensemble, ConnectionState state) {
        switch (state) {
            case CONNECTED, RECONNECTED -> LOG.info("ZooKeeper {}: {}", ensemble, state);
            case SUSPENDED -> LOG.warn("ZooKeeper {}: connection SUSPENDED", ensemble);
            case LOST -> LOG.warn("ZooKeeper {}: session LOST; the client keeps trying to reconnect", ensemble);
            default -> LOG.info("ZooKeeper {}: {}", ensemble, state);
        }
    }

    @Override
    public CuratorFramework curator() {
        return curator;
    }

    @Override
    public String connectString() {
        return connectString;
    }

    @Override
    public HaSettings settings() {
        return settings;
    }

    ZooKeeperDiscovery discovery() {
        return discovery;
    }

    EmbeddedZooKeeper embedded() {
        return embedded;
    }

    @Override
    public void close() {
        if (repair != null) repair.interrupt();
        discovery.close();
        try {
            curator.close();
        } finally {
            curatorSafe.shutdownNow();
            if (embedded != null) embedded.close();
        }
    }
}
