package kitsune.session.impl;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.registry.ServiceNode;

/**
 * This server's channels to engines, one per engine space, engine address and login kind: a connection logged in
 * for one space (with that space's secret) never carries a session of another space, even when a node in the other
 * space names the same address. Channels whose connections have all been idle for a while are closed and forgotten;
 * an engine that went away takes its channel with it.
 */
final class EngineChannels {
    /** Idle connections older than this are closed, but for the most recent one of each engine. */
    static final Duration IDLE_CONNECTION_TTL = Duration.ofSeconds(60);

    private final Map<String, EngineChannel> channels = new ConcurrentHashMap<>();

    /** The channel to the engine of that node, with the configuration of the session asking. */
    EngineChannel of(ServiceNode node, KitsuneConf conf) {
        String key = node.parentPath() + "|" + node.hostPort() + "|"
                + node.attributes().getOrDefault(EngineConf.NODE_AUTH, "");
        EngineChannel channel = channels.computeIfAbsent(key, k -> new EngineChannel(node, conf));
        channel.configure(conf);
        return channel;
    }

    /**
     * Closes connections idle for longer than {@link #IDLE_CONNECTION_TTL}, keeping one warm to each engine a session
     * still uses, and forgets channels no session uses and without connections. (A forgotten channel stays usable by
     * whoever still holds it: it opens connections again when called.)
     */
    void closeIdle(Set<EngineChannel> inUse) {
        channels.values().removeIf(c -> {
            boolean used = inUse.contains(c);
            return c.closeIdle(IDLE_CONNECTION_TTL, used ? 1 : 0) == 0 && !used;
        });
    }

    /** Connections open to all engines (in use or idle). */
    int openConnections() {
        return channels.values().stream().mapToInt(c -> c.counts()[0]).sum();
    }

    /** Calls waiting for a connection to their engine, all engines. */
    int waitingCalls() {
        return channels.values().stream().mapToInt(c -> c.counts()[2]).sum();
    }

    void closeAll() {
        channels.values().forEach(EngineChannel::close);
        channels.clear();
    }
}
