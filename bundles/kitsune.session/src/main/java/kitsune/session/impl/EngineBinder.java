package kitsune.session.impl;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TSessionHandle;
import org.apache.hive.service.rpc.thrift.TStatus;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.EngineException;
import kitsune.api.engine.EngineProvider;
import kitsune.api.registry.DiscoveryException;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;
import kitsune.internal.threads.NamedThreads;
import kitsune.thrift.Statuses;

/**
 * Routes a session to its engine and opens its session there: the engine space its configuration names, the engine
 * registered in it or one launched now ({@link EngineLocator}), and a session on that engine through this server's
 * channel to it. A node left behind by an engine that died is removed and another engine found or launched.
 */
final class EngineBinder {
    /** Stale engine nodes removed for one session at most (one per dead engine of its space). */
    private static final int STALE_NODE_ATTEMPTS = 3;
    private final EngineLocator locator;
    private final EngineChannels channels;

    /** Where a session goes: its engine's provider and space (known without launching). */
    record Route(EngineProvider provider, EngineSpace space) {
    }

    /** A session bound to its engine: the channel there and the session the engine opened for it. */
    record Binding(EngineChannel engine, TSessionHandle engineHandle, ServiceNode node, EngineSpace space,
            TProtocolVersion engineProtocol, Map<String, String> engineConfiguration) {
        /** Whether the engine sets hasMoreRows exactly when false ({@link EngineConf#RESULT_END_EXACT}). */
        boolean resultEndExact() {
            return engineConfiguration != null && "true".equals(engineConfiguration.get(EngineConf.RESULT_END_EXACT));
        }

        /** Whether the engine answers a short statement whole with its reply ({@link EngineConf#INLINE_RESULTS}). */
        boolean inlineResults() {
            return engineConfiguration != null && "true".equals(engineConfiguration.get(EngineConf.INLINE_RESULTS));
        }
    }

    /** The engine answered OpenSession with an error (its status goes to the client as it is). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient TStatus status;

        Refused(TStatus status) {
            super(status.getErrorMessage(), null, false, false);
            this.status = status;
        }

        TStatus status() {
            return status;
        }
    }

    /** Runs the bindings of asynchronous sessions: a bounded number at once, the others wait in line. */
    private java.util.concurrent.ThreadPoolExecutor pool; // guarded by this

    EngineBinder(EngineLocator locator, EngineChannels channels) {
        this.locator = locator;
        this.channels = channels;
    }

    /** Starts the pool of background bindings with that many threads. */
    synchronized void start(int threads) {
        if (pool != null) return;
        pool = new java.util.concurrent.ThreadPoolExecutor(threads, threads, 60, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), NamedThreads.daemon("kitsune-engine-binding"));
        pool.allowCoreThreadTimeOut(true);
    }

    /** Stops it; bindings still running are interrupted (their sessions are closed by then). */
    synchronized void stop() {
        if (pool != null) pool.shutdownNow();
        pool = null;
    }

    /** Whether bindings can run in the background (the pool runs). */
    synchronized boolean running() {
        return pool != null && !pool.isShutdown();
    }

    /**
     * Runs a binding in the background.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the pool is not running
     */
    java.util.concurrent.Future<?> submit(Runnable binding) {
        java.util.concurrent.ThreadPoolExecutor p;
        synchronized (this) {
            p = pool;
        }
        if (p == null) throw new java.util.concurrent.RejectedExecutionException("the session service is stopped");
        return p.submit(binding);
    }

    /** The session's provider and engine space. */
    Route route(KitsuneConf sessionConf, String user, UUID id) throws EngineException {
        EngineProvider provider = locator.provider(sessionConf);
        return new Route(provider, locator.space(provider, sessionConf, user, id.toString()));
    }

    /** Refuses a session now that would need an engine its owner may not have (see {@link EngineQuota#precheck}). */
    void refuseOverQuota(Route route, KitsuneConf sessionConf) throws EngineException, DiscoveryException {
        locator.refuseOverQuota(route.space(), sessionConf);
    }

    /**
     * Finds or launches the session's engine and opens the session there.
     *
     * @param clientConf the client's OpenSession settings as screened, passed to the engine
     */
    Binding bind(Route route, KitsuneConf sessionConf, Map<String, String> clientConf, TProtocolVersion protocol,
            String user, UUID id) throws EngineException, DiscoveryException, EngineCallException, Refused {
        return bind(route, sessionConf, clientConf, protocol, user, id, note -> { });
    }

    /** As {@link #bind(Route, KitsuneConf, Map, TProtocolVersion, String, UUID)}, saying what it does in notes. */
    Binding bind(Route route, KitsuneConf sessionConf, Map<String, String> clientConf, TProtocolVersion protocol,
            String user, UUID id, java.util.function.Consumer<String> notes)
            throws EngineException, DiscoveryException, EngineCallException, Refused {
        EngineProvider provider = route.provider();
        EngineSpace space = route.space();
        ServiceNode node = locator.locate(provider, space, sessionConf, user, id.toString(), notes);
        TOpenSessionReq engineReq = new TOpenSessionReq(protocol);
        engineReq.setUsername(user);
        Map<String, String> engineConf = new HashMap<>(clientConf);
        // the session lives on the engine until CloseSession, not as long as one of the shared connections
        engineConf.put(EngineConf.SESSION_POOLED, "true");
        engineReq.setConfiguration(engineConf);
        EngineChannel engine;
        TOpenSessionResp engineResp;
        for (int attempt = 1;; attempt++) {
            engine = channels.of(node, sessionConf);
            try {
                engineResp = engine.call("OpenSession", c -> c.OpenSession(engineReq));
                break;
            } catch (EngineCallException e) {
                // a node left behind by an engine that died (nothing listens at its address, or something else
                // that cannot prove it is this space's engine, e.g. another engine that got the port since):
                // remove it and find (or launch) another engine; only the provider can tell it is stale
                if (attempt >= STALE_NODE_ATTEMPTS || !(EngineConnection.refused(e) || e.unproven())
                        || !locator.removeIfStale(provider, space, node, sessionConf)) {
                    throw e;
                }
                notes.accept("The engine at " + node.hostPort() + " is gone; finding or launching another");
                node = locator.locate(provider, space, sessionConf, user, id.toString(), notes);
            }
        }
        if (!Statuses.isOk(engineResp.getStatus()) || engineResp.getSessionHandle() == null) {
            throw new Refused(Statuses.isOk(engineResp.getStatus())
                    ? Statuses.error("The engine at " + node.hostPort() + " returned no session handle")
                    : engineResp.getStatus());
        }
        return new Binding(engine, engineResp.getSessionHandle(), node, space, engineResp.getServerProtocolVersion(),
                engineResp.getConfiguration());
    }
}
