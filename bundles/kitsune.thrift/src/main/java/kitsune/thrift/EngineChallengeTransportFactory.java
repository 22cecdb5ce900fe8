package kitsune.thrift;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.TTransportFactory;

/**
 * For an engine's Thrift server: wraps each accepted connection into an {@link EngineChallengeServerTransport} and
 * runs the login, which must complete within a deadline as a whole (a client sending a byte now and then is cut off
 * at it, and holds its worker thread no longer). The server asks for the input and the output transport of a
 * connection separately: both get the same one.
 */
public final class EngineChallengeTransportFactory extends TTransportFactory {
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kitsune-login-deadline");
        t.setDaemon(true);
        return t;
    });

    private final long maxFrameSize;
    private final String secret;
    private final String address;
    private final Duration deadline;
    private final Map<TTransport, TTransport> opened = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * @param maxFrameSize largest data frame accepted after the login
     * @param secret       the engine secret
     * @param address      this engine's address as registered ({@link EngineChallenge#address})
     * @param deadline     how long a connection may take to log in
     */
    public EngineChallengeTransportFactory(long maxFrameSize, String secret, String address, Duration deadline) {
        this.maxFrameSize = maxFrameSize;
        this.secret = secret;
        this.address = address;
        this.deadline = deadline;
    }

    @Override
    public TTransport getTransport(TTransport base) throws TTransportException {
        TTransport made = opened.remove(base);
        if (made != null) return made;
        EngineChallengeServerTransport sasl = new EngineChallengeServerTransport(base, maxFrameSize, secret, address);
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, deadline.toMillis()));
        TSocket socket = base instanceof TSocket s ? s : null;
        if (socket != null) socket.setTimeout(millis);
        ScheduledFuture<?> cut = DEADLINES.schedule(base::close, millis, TimeUnit.MILLISECONDS);
        try {
            sasl.open();
        } catch (TTransportException e) {
            base.close();
            throw e;
        } finally {
            cut.cancel(false);
        }
        if (!base.isOpen()) throw new TTransportException("the login did not complete within " + millis + " ms");
        if (socket != null) socket.setTimeout(0); // logged in: pooled connections wait for calls as long as they like
        opened.put(base, sasl);
        return sasl;
    }
}
