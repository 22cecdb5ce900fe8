package kitsune.ha.impl;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.curator.framework.CuratorFramework;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.ServiceNode;
import kitsune.internal.exit.ServerExit;

/**
 * Owns the HA runtime in start order: embedded ZooKeeper (pseudo mode) then the Curator client, and provides the
 * {@link Discovery} service over it (plus the bundle-private {@link HaRuntime} for the registration component).
 * Needs the configuration {@link ConfigKeys#PID}; every key it reads needs a restart, so a configuration update
 * (@Modified) changes nothing here and, above all, does not restart ZooKeeper.
 */
@Component(name = "kitsune.ha", configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {Discovery.class, HaRuntime.class})
public class HaComponent implements Discovery, HaRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(HaComponent.class);

    private volatile HaCore core;
    private volatile String failure = "not started";
    /** The ZooKeeper connection's last state (Curator's name), empty before the first. */
    private volatile String zooKeeperState = "";
    private volatile ServerMetrics metrics;

    /** The metrics bundle's recorder, told the connection state now and at each change. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetMetrics")
    void setMetrics(ServerMetrics m) {
        metrics = m;
        String state = zooKeeperState;
        if (!state.isEmpty()) m.zooKeeperState(state);
    }

    void unsetMetrics(ServerMetrics m) {
        if (metrics == m) metrics = null;
    }

    private void zooKeeperState(String state) {
        zooKeeperState = state;
        ServerMetrics m = metrics;
        if (m != null) m.zooKeeperState(state);
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        HaSettings settings;
        try {
            settings = HaSettings.from(KitsuneConf.fromProperties(properties),
                    context.getProperty(HaSettings.WORK_DIR_KEY), context.getProperty(HaSettings.HOME_KEY));
        } catch (ConfigException e) {
            failure = e.getMessage();
            ServerExit.fatal(context, e.getMessage(), ServerExit.EX_CONFIG);
            return;
        }
        try {
            core = HaCore.start(settings, this::zooKeeperState);
            failure = null;
        } catch (EmbeddedZooKeeper.StartException e) {
            // one clear line, then the server stops; activate does not throw (SCR would log a second, noisy error)
            failure = e.getMessage();
            ServerExit.fatal(context, e.getMessage(), ServerExit.EX_CONFIG);
        } catch (RuntimeException e) {
            failure = "ZooKeeper client for " + settings.addresses() + " cannot start: " + e;
            ServerExit.fatal(context, failure, ServerExit.EX_CONFIG);
        }
    }

    @Modified
    void modified(Map<String, Object> properties) {
        LOG.debug("Configuration updated; the HA keys need a restart, nothing to apply");
    }

    @Deactivate
    void deactivate() {
        HaCore c = core;
        core = null;
        failure = "stopped";
        if (c != null) c.close();
    }

    private HaCore core() throws DiscoveryException {
        HaCore c = core;
        if (c == null) throw new DiscoveryException("ZooKeeper discovery is not running: " + failure);
        return c;
    }

    @Override
    public String connectString() {
        HaCore c = core;
        return c == null ? "" : c.connectString();
    }

    @Override
    public String namespace() {
        HaCore c = core;
        return c == null ? ConfigKeys.HA_NAMESPACE.defaultValue() : c.settings().namespace();
    }

    @Override
    public List<ServiceNode> list(String path) throws DiscoveryException {
        return core().discovery().list(path);
    }

    @Override
    public <T> T withLock(String lockPath, Duration timeout, Callable<T> action) throws Exception {
        return core().discovery().withLock(lockPath, timeout, action);
    }

    @Override
    public kitsune.api.registry.EngineZkIdentity prepareEngineSpace(kitsune.api.registry.EngineSpace space)
            throws DiscoveryException {
        return core().discovery().prepareEngineSpace(space);
    }

    @Override
    public boolean delete(String path) throws DiscoveryException {
        return core().discovery().delete(path);
    }

    @Override
    public void write(String path, byte[] data) throws DiscoveryException {
        core().discovery().write(path, data);
    }

    @Override
    public java.util.Optional<byte[]> read(String path) throws DiscoveryException {
        return core().discovery().read(path);
    }

    @Override
    public java.util.Optional<java.time.Instant> created(String path) throws DiscoveryException {
        return core().discovery().created(path);
    }

    @Override
    public List<String> children(String path) throws DiscoveryException {
        return core().discovery().children(path);
    }

    @Override
    public CuratorFramework curator() {
        HaCore c = core;
        return c == null ? null : c.curator();
    }

    @Override
    public HaSettings settings() {
        HaCore c = core;
        return c == null ? null : c.settings();
    }
}
