package kitsune.console.impl;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineProvider;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ServerEndpoint;
import kitsune.api.registry.ServerLifecycle;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkPaths;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;

/**
 * What the Web Console page and the kitsune:* commands show and do: the namespace's servers, this server's sessions
 * and the engines registered in ZooKeeper; drain this server, close a session, stop an engine. Every service it uses
 * is optional and dynamic, so that the page tells what is missing instead of disappearing.
 */
@Component(service = KitsuneOverview.class, configurationPid = ConfigKeys.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public class KitsuneOverview {
    private static final Logger LOG = LoggerFactory.getLogger(KitsuneOverview.class);

    /** A registered server. */
    public record ServerRow(String host, int port, String version, String znode, boolean self) {
    }

    /** A session of this server, with its age and idle time at the time of asking. */
    public record SessionRow(SessionInfo info, Duration age, Duration idle) {
    }

    /** An outcome of an action, as the page and the commands report it. */
    public record Result(boolean ok, String message) {
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SessionManager sessions;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Discovery discovery;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServerEndpoint endpoint;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServerLifecycle lifecycle;

    /** The engine providers: they end the engines they own (a process here, an application in a cluster). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<EngineProvider> providers = new CopyOnWriteArrayList<>();

    private volatile KitsuneConf conf = KitsuneConf.empty();

    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        conf = KitsuneConf.fromProperties(properties);
    }

    public String namespace() {
        Discovery d = discovery;
        return d == null ? "" : ZkPaths.trimSlashes(d.namespace());
    }

    /** host:port of this server's Thrift frontend, or empty before it listens. */
    public String self() {
        ServerEndpoint e = endpoint;
        return e == null ? "" : e.hostPort();
    }

    public List<ServerRow> servers() throws DiscoveryException {
        Discovery d = requireDiscovery();
        String self = self();
        List<ServerRow> rows = new ArrayList<>();
        for (ServiceNode n : d.list(ZkPaths.namespacePath(d.namespace()))) {
            rows.add(new ServerRow(n.host(), n.port(), n.version(), n.path(), n.hostPort().equals(self)));
        }
        return rows;
    }

    public List<SessionRow> sessions() {
        SessionManager sm = sessions;
        if (sm == null) return List.of();
        Instant now = Instant.now();
        List<SessionRow> rows = new ArrayList<>();
        for (SessionInfo s : sm.sessions()) {
            rows.add(new SessionRow(s, between(s.opened(), now), between(s.lastAccess(), now)));
        }
        return rows;
    }

    public boolean hasSessionManager() {
        return sessions != null;
    }

    public List<EngineTree.EngineRow> engines() throws DiscoveryException {
        Discovery d = requireDiscovery();
        return EngineTree.engines(d, ZkPaths.trimSlashes(d.namespace()));
    }

    /**
     * Drains this server as deleting its node does (refuse new sessions, leave ZooKeeper, stop after the last
     * session), through the HA bundle's {@link ServerLifecycle}.
     */
    public Result drain() {
        String self = self();
        if (self.isEmpty()) return new Result(false, "This server has no Thrift endpoint yet; nothing to drain");
        ServerLifecycle l = lifecycle;
        if (l == null) return new Result(false, "The server's lifecycle service (kitsune.ha) is not running");
        if (!l.startDrain("the console or its shell")) {
            return new Result(false, "This server (" + self + ") is already draining or stopping");
        }
        return new Result(true, "Draining " + self + ": it takes no new sessions and stops after its last session");
    }

    public Result closeSession(String id) {
        SessionManager sm = sessions;
        if (sm == null) return new Result(false, "No session manager is running");
        if (id == null || id.isBlank()) return new Result(false, "No session id given");
        if (sm.closeSession(id.trim())) {
            LOG.info("Session {} closed from the console or shell", id.trim());
            return new Result(true, "Closed session " + id.trim());
        }
        return new Result(false, "No open session " + id.trim());
    }

    /**
     * Stops an engine now (only one listed as an engine): deletes its node, so that no new session reaches it, and asks
     * its provider to end it at once, wherever it runs (its process, or its application in the cluster); its open
     * sessions fail. Without a provider that can end it, the engine drains: it stops after its last session.
     */
    public Result stopEngine(String znode) throws DiscoveryException {
        if (znode == null || znode.isBlank()) return new Result(false, "No engine node given");
        Discovery d = requireDiscovery();
        for (EngineTree.EngineRow e : engines()) {
            if (!e.znode().equals(znode.trim())) continue;
            String parent = e.znode().substring(0, e.znode().lastIndexOf('/'));
            ServiceNode node = d.list(parent).stream().filter(n -> n.path().equals(e.znode())).findFirst()
                    .orElse(null);
            if (node == null || !d.delete(e.znode())) {
                return new Result(false, "Engine node " + znode.trim() + " is already gone");
            }
            LOG.info("Engine stop requested from the console or shell: deleted {}", e.znode());
            String what = "engine " + e.hostPort() + " (user " + e.user() + ")";
            EngineProvider provider = providers.stream()
                    .filter(p -> p.engineType().equalsIgnoreCase(e.engineType())).reduce((a, b) -> b).orElse(null);
            if (provider == null) {
                return new Result(true, "Deleted the node of " + what + ": it drains and exits after its last session"
                        + " (no " + e.engineType() + " provider is installed to end it now)");
            }
            try {
                provider.terminate(node, conf);
                return new Result(true, "Stopped " + what + ": its node is deleted and the engine ended");
            } catch (EngineException ex) {
                LOG.warn("Could not end {}: {}", e.znode(), ex.getMessage());
                return new Result(true, "Deleted the node of " + what + ": it drains and exits after its last "
                        + "session; ending it now failed: " + ex.getMessage());
            }
        }
        return new Result(false, "No engine registered at " + znode.trim());
    }

    private Discovery requireDiscovery() throws DiscoveryException {
        Discovery d = discovery;
        if (d == null) throw new DiscoveryException("ZooKeeper discovery (kitsune.ha) is not running");
        return d;
    }

    private static Duration between(Instant from, Instant to) {
        if (from == null) return Duration.ZERO;
        Duration d = Duration.between(from, to);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** 1h02m, 3m05s, 12s. */
    public static String human(Duration d) {
        if (d == null) return "";
        long s = d.toSeconds();
        if (s >= 86400) return String.format("%dd%02dh", s / 86400, (s % 86400) / 3600);
        if (s >= 3600) return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format("%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
