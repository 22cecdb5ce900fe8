package kitsune.session.impl;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.ServiceNode;

/**
 * This server's way to one engine, shared by all its sessions there: a small pool of Thrift connections, each
 * carrying one call at a time. A call takes an idle connection (or opens one, up to
 * {@code kitsune.engine.connections.max}) and gives it back when answered, so an idle session holds no socket and no
 * engine thread, and a long call (a synchronous statement, a long-polling status) never holds up another session's.
 * The calls of one session stay in order because its client makes them one after another. A connection that fails
 * below TCLIService is closed, not reused; the sessions go on over the others.
 */
final class EngineChannel {
    private record Idle(EngineConnection connection, long sinceNanos) {
    }

    private final ServiceNode node;
    private volatile KitsuneConf conf;
    /** Most recently returned first: the pool shrinks back to what the load needs. */
    private final Deque<Idle> idle = new ArrayDeque<>();
    private int open; // connections open or being opened; guarded by this
    private boolean closed; // guarded by this

    EngineChannel(ServiceNode node, KitsuneConf conf) {
        this.node = node;
        this.conf = conf;
    }

    String hostPort() {
        return node.hostPort();
    }

    /** The server configuration from now on (pool bound, engine secret, timeouts). */
    void configure(KitsuneConf newConf) {
        this.conf = newConf;
    }

    <R> R call(String what, EngineConnection.Call<R> call) throws EngineCallException {
        return call(what, null, call);
    }

    /** @param timeout how long the engine may take to answer, or null for no bound (statements may run for hours) */
    <R> R call(String what, Duration timeout, EngineConnection.Call<R> call) throws EngineCallException {
        EngineConnection c = borrow(what);
        try {
            return timeout == null ? c.call(what, call) : c.call(what, timeout, call);
        } finally {
            giveBack(c);
        }
    }

    private EngineConnection borrow(String what) throws EngineCallException {
        KitsuneConf c = conf;
        Duration wait = c.get(ConfigKeys.ENGINE_LOGIN_TIMEOUT);
        int max = c.get(ConfigKeys.ENGINE_CONNECTIONS);
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            while (true) {
                if (closed) throw new EngineCallException(what + ": this server is stopping", null);
                Idle ready = idle.pollFirst();
                if (ready != null) return ready.connection();
                if (open < max) {
                    open++;
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new EngineCallException(what + ": all " + max + " connections of this server to the engine "
                            + "at " + node.hostPort() + " stayed busy for " + wait + "; raise "
                            + ConfigKeys.ENGINE_CONNECTIONS.name() + " or try again", null);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineCallException(what + " was interrupted", e);
                }
            }
        }
        try {
            return EngineConnection.open(node, c, wait);
        } catch (EngineCallException | RuntimeException e) {
            synchronized (this) {
                open--;
                notifyAll();
            }
            throw e;
        }
    }

    private void giveBack(EngineConnection c) {
        synchronized (this) {
            if (!c.isBroken() && !closed) {
                idle.addFirst(new Idle(c, System.nanoTime()));
                notifyAll();
                return;
            }
            open--;
            notifyAll();
        }
        c.close();
    }

    /**
     * Closes connections idle for longer than that, keeping {@code keep} of them.
     *
     * @return the connections still open (in use or idle)
     */
    int closeIdle(Duration olderThan, int keep) {
        Deque<EngineConnection> toClose = new ArrayDeque<>();
        long cutoff = System.nanoTime() - olderThan.toNanos();
        synchronized (this) {
            int index = 0; // most recently used first: the first `keep` stay
            for (Iterator<Idle> it = idle.iterator(); it.hasNext();) {
                Idle i = it.next();
                if (index++ < keep || i.sinceNanos() - cutoff > 0) continue;
                it.remove();
                toClose.add(i.connection());
                open--;
            }
        }
        toClose.forEach(EngineConnection::close);
        synchronized (this) {
            return open;
        }
    }

    /** Connections open now (in use or idle), and of them idle. */
    synchronized int[] counts() {
        return new int[] {open, idle.size()};
    }

    /** Closes the idle connections and every connection given back from now on. */
    void close() {
        Deque<EngineConnection> toClose = new ArrayDeque<>();
        synchronized (this) {
            closed = true;
            for (Idle i : idle) toClose.add(i.connection());
            open -= idle.size();
            idle.clear();
            notifyAll();
        }
        toClose.forEach(EngineConnection::close);
    }
}
