package kitsune.thrift;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.TTransportFactory;

/**
 * For a Thrift server: wraps each accepted connection into a {@link PlainSaslServerTransport} and runs the SASL PLAIN
 * handshake, checking logins with the given {@link PlainCredentials}. libthrift's own TSaslServerTransport.Factory
 * cannot be used: it looks PLAIN up among the JVM's SASL servers, and the JDK ships none. The server asks for the
 * input and the output transport of a connection separately: both get the same one.
 */
public final class PlainSaslTransportFactory extends TTransportFactory {
    private final long maxFrameSize;
    private final PlainCredentials credentials;
    private final Map<TTransport, TTransport> opened = Collections.synchronizedMap(new WeakHashMap<>());

    public PlainSaslTransportFactory(long maxFrameSize, PlainCredentials credentials) {
        this.maxFrameSize = maxFrameSize;
        this.credentials = credentials;
    }

    @Override
    public TTransport getTransport(TTransport base) throws TTransportException {
        TTransport made = opened.remove(base);
        if (made != null) return made;
        PlainSaslServerTransport sasl = new PlainSaslServerTransport(base, maxFrameSize, credentials);
        try {
            sasl.open();
        } catch (TTransportException e) {
            base.close();
            throw e;
        }
        opened.put(base, sasl);
        return sasl;
    }
}
