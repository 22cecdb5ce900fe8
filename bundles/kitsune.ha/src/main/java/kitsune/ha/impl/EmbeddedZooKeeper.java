package kitsune.ha.impl;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;

/**
 * A standalone ZooKeeper server in this JVM (pseudo mode), built from ZooKeeper's own server classes: a
 * ZooKeeperServer behind an NIO ServerCnxnFactory. No admin server (that one is started only by
 * ZooKeeperServerMain, which is not used). Unlike Kyuubi's, its data is kept when the server stops: engines outlive
 * the server, and after a restart they reconnect with their ZooKeeper sessions and nodes intact (with the data gone,
 * ZooKeeper refuses their clients, which have seen newer transactions, until their sessions time out).
 */
final class EmbeddedZooKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);
    static final int MAX_CLIENT_CONNECTIONS = 120;

    /** The server cannot start; the message is one line naming the cause and the key to change. */
    static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String host;
    private final int requestedPort;
    private final Path dataDir;
    private final int tickTime;
    private final int maxSessionTimeout;
    private boolean aclChecksRequired;
    private ZooKeeperServer server;
    private ServerCnxnFactory factory;
    private int port;

    EmbeddedZooKeeper(String host, int port, Path dataDir, int tickTime, int maxSessionTimeout) {
        this.host = host;
        this.requestedPort = port;
        this.dataDir = dataDir;
        this.tickTime = tickTime;
        this.maxSessionTimeout = maxSessionTimeout;
    }

    static EmbeddedZooKeeper of(HaSettings s) {
        return new EmbeddedZooKeeper(s.embeddedHost(), s.embeddedPort(), s.embeddedDataDir(), s.embeddedTickTime(),
                s.embeddedMaxSessionTimeout());
    }

    /**
     * ZooKeeper's server classes need Dropwizard metrics-core and snappy-java, which the wrapper bundle imports only
     * optionally. Naming one class of each here makes this bundle import both packages (so the runtime resolver
     * installs them) and turns their absence into one clear line instead of a NoClassDefFoundError deep inside.
     */
    static void checkServerDependencies() throws StartException {
        try {
            Class<?>[] needed = {com.codahale.metrics.Reservoir.class, org.xerial.snappy.SnappyInputStream.class};
            LOG.trace("Embedded ZooKeeper dependencies present: {}", (Object) needed);
        } catch (NoClassDefFoundError e) {
            throw new StartException("Embedded ZooKeeper cannot start: " + e.getMessage() + " is missing (the runtime "
                    + "needs the bundles io.dropwizard.metrics.core and org.xerial.snappy.snappy-java)", e);
        }
    }

    /** ACLs are configured: refuse to start a server that would not enforce them. */
    synchronized void requireAclChecks() {
        aclChecksRequired = true;
    }

    /**
     * ZooKeeper skips every ACL check when the JVM property zookeeper.skipACL=yes was set when its server class was
     * loaded, and refuses digest logins when its digest provider is disabled: either would make ACLs a pretence.
     */
    static void checkAclsEnforced() throws StartException {
        String skip = System.getProperty(ZooKeeperServer.SKIP_ACL);
        boolean skipping = "yes".equalsIgnoreCase(skip);
        if (!skipping) {
            // the server class read the property when it was loaded (reading the field loads it, so only now)
            try {
                java.lang.reflect.Field f = ZooKeeperServer.class.getDeclaredField("skipACL");
                f.setAccessible(true);
                skipping = f.getBoolean(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.debug("Cannot read ZooKeeperServer.skipACL: {}", e.toString());
            }
        }
        if (skipping) {
            throw new StartException("The embedded ZooKeeper would not check ACLs: the JVM property "
                    + ZooKeeperServer.SKIP_ACL + "=yes is set; remove it (KITSUNE_JAVA_OPTS) or set "
                    + ConfigKeys.HA_ZK_AUTH_TYPE.name() + "=NONE", null);
        }
        if ("false".equalsIgnoreCase(System.getProperty("zookeeper.DigestAuthenticationProvider.enabled"))) {
            throw new StartException("The embedded ZooKeeper would refuse digest logins: the JVM property "
                    + "zookeeper.DigestAuthenticationProvider.enabled=false is set; remove it (KITSUNE_JAVA_OPTS) "
                    + "or set " + ConfigKeys.HA_ZK_AUTH_TYPE.name() + "=NONE", null);
        }
    }

    synchronized void start() throws StartException {
        checkServerDependencies();
        if (aclChecksRequired) checkAclsEnforced();
        if (System.getProperty("zookeeper.admin.enableServer") == null) {
            // belt and braces: only ZooKeeperServerMain starts the admin server, but never let it bind 8080
            System.setProperty("zookeeper.admin.enableServer", "false");
        }
        try {
            // owner-only whatever the umask: snapshots hold every node, session records and ACL digests included
            Files.createDirectories(dataDir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new StartException("Embedded ZooKeeper cannot create its data directory " + dataDir + ": " + e
                    + " (set " + ConfigKeys.ZK_EMBEDDED_DATA_DIR.name() + " or KITSUNE_WORK_DIR)", e);
        }
        ZooKeeperServer zks = null;
        ServerCnxnFactory f = null;
        try {
            zks = new ZooKeeperServer(dataDir.toFile(), dataDir.toFile(), tickTime);
            int min = Math.min(2 * tickTime, maxSessionTimeout);
            zks.setMinSessionTimeout(min);
            zks.setMaxSessionTimeout(maxSessionTimeout);
            f = ServerCnxnFactory.createFactory();
            f.configure(new InetSocketAddress(host, requestedPort), MAX_CLIENT_CONNECTIONS);
            f.startup(zks);
        } catch (Exception e) {
            if (f != null) f.shutdown();
            if (zks != null) zks.shutdown(true);
            throw new StartException(describe(e), e);
        }
        server = zks;
        factory = f;
        port = f.getLocalPort();
        LOG.info("Embedded ZooKeeper started on {} (data in {}, tick time {} ms, session timeout {}..{} ms)",
                connectString(), dataDir, tickTime, zks.getMinSessionTimeout(), zks.getMaxSessionTimeout());
    }

    private String describe(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "Embedded ZooKeeper cannot listen on " + host + ":" + requestedPort + ": "
                        + (requestedPort == 0 ? t.getMessage() : "the port is already in use")
                        + ". Set " + ConfigKeys.ZK_EMBEDDED_PORT.name() + " to a free port (0 picks one), or "
                        + ConfigKeys.HA_ADDRESSES.name() + " to use an external ZooKeeper";
            }
        }
        return "Embedded ZooKeeper cannot start on " + host + ":" + requestedPort + " with data in " + dataDir
                + ": " + e;
    }

    synchronized int port() {
        return port;
    }

    synchronized String connectString() {
        return host + ":" + port;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The server, for tests (e.g. to look at sessions). */
    synchronized ZooKeeperServer server() {
        return server;
    }

    @Override
    public synchronized void close() {
        if (factory == null) return;
        try {
            factory.shutdown();
        } finally {
            server.shutdown(true);
            factory = null;
            server = null;
        }
        LOG.info("Embedded ZooKeeper on {}:{} stopped", host, port);
    }
}
