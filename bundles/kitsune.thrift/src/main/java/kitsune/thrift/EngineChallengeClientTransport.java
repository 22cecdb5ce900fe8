package kitsune.thrift;

import org.apache.thrift.TConfiguration;
import org.apache.thrift.transport.TSaslClientTransport;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

/**
 * The Kitsune server's side of {@link EngineChallenge} on Thrift's SASL transport, for a connection to an engine
 * found in ZooKeeper. Until the engine has proven itself, no handshake message above
 * {@link EngineChallenge#MAX_MESSAGE_BYTES} is read: a planted node cannot make the server allocate more.
 */
public class EngineChallengeClientTransport extends TSaslClientTransport {
    private static final TConfiguration HANDSHAKE = TConfiguration.custom()
            .setMaxMessageSize(EngineChallenge.MAX_MESSAGE_BYTES).build();

    private volatile TConfiguration handshake = HANDSHAKE;

    /**
     * @param secret     the engine secret
     * @param address    the engine's address as dialled ({@link EngineChallenge#address}, from its node)
     * @param underlying the socket to the engine
     */
    public EngineChallengeClientTransport(String secret, String address, TTransport underlying)
            throws TTransportException {
        super(EngineChallenge.client(secret, address), underlying);
    }

    @Override
    public void open() throws TTransportException {
        super.open();
        handshake = null;
    }

    @Override
    public TConfiguration getConfiguration() {
        TConfiguration h = handshake; // null also while the superclass constructor runs
        return h != null ? h : super.getConfiguration();
    }
}
