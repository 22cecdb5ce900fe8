package kitsune.session.impl;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.ServiceNode;

/**
 * This server's way to one engine, shared by all its sessions there: a small pool of Thrift connections, each
 * carrying one call at a time. A call takes an idle connection (or opens one, up to
 * {@code kitsune.engine.connections.max}) and gives it back when answered, so an idle session holds no socket and no
 * engine thread, and a long call (a synchronous statement, a long-polling status) never holds up another session's.
 * The calls of one session stay in order because its client makes them one after another. When every connection is
 * busy, calls wait their turn in the order they came (a freed connection, or a freed slot, goes to the longest
 * waiter; closes the server already answered go first), at most {@code kitsune.engine.connections.wait}. A connection
 * that fails below TCLIService is closed, not reused; the sessions go on over the others.
 */
final class EngineChannel {
    private record Idle(EngineConnection connection, long sinceNanos) {
    }

    /** A call waiting for a connection; guarded by the lock. */
    private static final class Waiter {
        final Condition turn;
        final boolean first; // a close: waits in the front lane
        boolean served;
        EngineConnection handed; // null when served: it may open a connection in a freed slot

        Waiter(Condition turn, boolean first) {
            this.turn = turn;
            this.first = first;
        }
    }

    private final ServiceNode node;
    private volatile KitsuneConf conf;
    /** Most recently returned first: the pool shrinks back to what the load needs. */
    private final Deque<Idle> idle = new ArrayDeque<>();
    /** Calls waiting for a connection, longest first; only while none is idle and all slots are taken. */
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    /** Closes waiting for a connection: served before {@link #waiters}. */
    private final Deque<Waiter> closesWaiting = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private int open; // connections open or being opened (slots taken); guarded by lock
    private boolean closed; // guarded by lock

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
        return call(what, timeout, false, call);
    }

    /**
     * A close (of an operation or a session) that the server already answered: it waits ahead of the clients' calls,
     * since it is quick on the engine and frees what the engine holds for it (a session's state, an operation's
     * result); behind the clients' calls, closes would pile up while the engine's heap fills.
     */
    <R> R close(String what, Duration timeout, EngineConnection.Call<R> call) throws EngineCallException {
        return call(what, timeout, true, call);
    }

    private <R> R call(String what, Duration timeout, boolean first, EngineConnection.Call<R> call)
            throws EngineCallException {
        EngineConnection c = borrow(what, first);
        try {
            return timeout == null ? c.call(what, call) : c.call(what, timeout, call);
        } finally {
            giveBack(c);
        }
    }

    private EngineConnection borrow(String what, boolean first) throws EngineCallException {
        KitsuneConf c = conf;
        int max = c.get(ConfigKeys.ENGINE_CONNECTIONS);
        Waiter me;
        lock.lock();
        try {
            if (closed) throw stopping(what);
            Idle ready = idle.pollFirst();
            if (ready != null) return ready.connection();
            if (open < max) { // waiters exist only while every slot is taken (or until the bound was raised)
                open++;
                me = null;
            } else {
                me = new Waiter(lock.newCondition(), first);
                (first ? closesWaiting : waiters).addLast(me);
            }
        } finally {
            lock.unlock();
        }
        if (me != null) {
            EngineConnection handed = awaitTurn(what, me, max, c.get(ConfigKeys.ENGINE_CONNECTIONS_WAIT));
            if (handed != null) return handed;
        }
        try {
            return EngineConnection.open(node, c, c.get(ConfigKeys.ENGINE_LOGIN_TIMEOUT));
        } catch (EngineCallException | RuntimeException e) {
            released();
            throw e;
        }
    }

    /**
     * Waits until a connection is handed to this waiter (returned) or it may open one (null); first come, first served,
     * so under a steady load no call waits longer than the calls before it take.
     */
    private EngineConnection awaitTurn(String what, Waiter me, int max, Duration wait) throws EngineCallException {
        long left = wait.toNanos();
        lock.lock();
        try {
            while (!me.served) {
                if (closed) {
                    queueOf(me).remove(me);
                    throw stopping(what);
                }
                if (left <= 0) {
                    queueOf(me).remove(me);
                    throw new EngineCallException(what + ": all " + max + " connections of this server to the engine "
                            + "at " + node.hostPort() + " stayed busy for " + wait + "; raise "
                            + ConfigKeys.ENGINE_CONNECTIONS.name() + " or " + ConfigKeys.ENGINE_CONNECTIONS_WAIT.name()
                            + ", or try again", null);
                }
                try {
                    left = me.turn.awaitNanos(left);
                } catch (InterruptedException e) {
                    if (!me.served) queueOf(me).remove(me);
                    else if (me.handed != null) putBack(me.handed);
                    else releasedLocked();
                    Thread.currentThread().interrupt();
                    throw new EngineCallException(what + " was interrupted", e);
                }
            }
            return me.handed;
        } finally {
            lock.unlock();
        }
    }

    private Deque<Waiter> queueOf(Waiter w) {
        return w.first ? closesWaiting : waiters;
    }

    /** The next waiter to serve: closes first, then calls in the order they came; null when none waits. */
    private Waiter nextWaiter() {
        Waiter w = closesWaiting.pollFirst();
        return w != null ? w : waiters.pollFirst();
    }

    private static EngineCallException stopping(String what) {
        return new EngineCallException(what + ": this server is stopping", null);
    }

    private void giveBack(EngineConnection c) {
        lock.lock();
        try {
            if (!c.isBroken() && !closed) {
                putBack(c);
                return;
            }
            releasedLocked();
        } finally {
            lock.unlock();
        }
        c.close();
    }

    /** A healthy connection goes to the longest waiter, else to the idle ones; the lock is held. */
    private void putBack(EngineConnection c) {
        Waiter next = nextWaiter();
        if (next != null) {
            next.served = true;
            next.handed = c;
            next.turn.signal();
        } else {
            idle.addFirst(new Idle(c, System.nanoTime()));
        }
    }

    /** A connection slot was freed (closed, or never opened). */
    private void released() {
        lock.lock();
        try {
            releasedLocked();
        } finally {
            lock.unlock();
        }
    }

    /** The slot goes to the longest waiter (it opens a connection), else it is gone; the lock is held. */
    private void releasedLocked() {
        Waiter next = closed ? null : nextWaiter();
        if (next != null) {
            next.served = true; // handed stays null: it opens one in the slot it inherits
            next.turn.signal();
        } else {
            open--;
        }
    }

    /**
     * Closes connections idle for longer than that, keeping {@code keep} of them.
     *
     * @return the connections still open (in use or idle)
     */
    int closeIdle(Duration olderThan, int keep) {
        Deque<EngineConnection> toClose = new ArrayDeque<>();
        long cutoff = System.nanoTime() - olderThan.toNanos();
        lock.lock();
        try {
            int index = 0; // most recently used first: the first `keep` stay
            for (Iterator<Idle> it = idle.iterator(); it.hasNext();) {
                Idle i = it.next();
                if (index++ < keep || i.sinceNanos() - cutoff > 0) continue;
                it.remove();
                toClose.add(i.connection());
                open--; // nobody waits while a connection is idle
            }
        } finally {
            lock.unlock();
        }
        toClose.forEach(EngineConnection::close);
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** Connections open now (in use or idle), of them idle, and calls waiting for one. */
    int[] counts() {
        lock.lock();
        try {
            return new int[] {open, idle.size(), waiters.size() + closesWaiting.size()};
        } finally {
            lock.unlock();
        }
    }

    /** Closes the idle connections and every connection given back from now on; waiting calls fail. */
    void close() {
        Deque<EngineConnection> toClose = new ArrayDeque<>();
        lock.lock();
        try {
            closed = true;
            for (Idle i : idle) toClose.add(i.connection());
            open -= idle.size();
            idle.clear();
            waiters.forEach(w -> w.turn.signal());
            closesWaiting.forEach(w -> w.turn.signal());
        } finally {
            lock.unlock();
        }
        toClose.forEach(EngineConnection::close);
    }
}
