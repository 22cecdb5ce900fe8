package kitsune.thrift;

import java.nio.charset.StandardCharsets;

import javax.security.sasl.SaslException;

import org.apache.thrift.TConfiguration;
import org.apache.thrift.transport.TSaslServerTransport;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.sasl.NegotiationStatus;

/**
 * The engine's side of {@link EngineChallenge} on Thrift's SASL transport. Before the login completes, no handshake
 * message above {@link EngineChallenge#MAX_MESSAGE_BYTES} is read (libthrift would otherwise allocate whatever length
 * a client announces, up to its maximum message size); afterwards data frames above the maximum frame size are
 * refused before they are allocated. Any other mechanism (a Hive driver's PLAIN) is refused naming the way in.
 */
public class EngineChallengeServerTransport extends TSaslServerTransport {
    private static final TConfiguration HANDSHAKE = TConfiguration.custom()
            .setMaxMessageSize(EngineChallenge.MAX_MESSAGE_BYTES).build();

    private final long maxFrameSize;
    private final String secret;
    private final String address;
    /** Bounds what libthrift reads while this is set: until the login completed. */
    private volatile TConfiguration handshake = HANDSHAKE;

    /**
     * @param underlying   the accepted socket
     * @param maxFrameSize largest data frame accepted after the login
     * @param secret       the engine secret
     * @param address      this engine's address as registered ({@link EngineChallenge#address})
     */
    public EngineChallengeServerTransport(TTransport underlying, long maxFrameSize, String secret, String address)
            throws TTransportException {
        super(underlying);
        this.maxFrameSize = maxFrameSize;
        this.secret = secret;
        this.address = address;
    }

    @Override
    protected void handleSaslStartMessage() throws TTransportException, SaslException {
        var message = receiveSaslMessage();
        if (message.status != NegotiationStatus.START) {
            throw sendAndThrowMessage(NegotiationStatus.ERROR, "Expecting START status, received " + message.status);
        }
        String mechanism = new String(message.payload, StandardCharsets.UTF_8);
        if (!EngineChallenge.MECHANISM.equals(mechanism)) {
            throw sendAndThrowMessage(NegotiationStatus.BAD, EngineChallenge.REFUSAL);
        }
        setSaslServer(EngineChallenge.server(secret, address));
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

    @Override
    protected int readLength() throws TTransportException {
        int length = super.readLength();
        if (length > maxFrameSize) throw new FrameTooLargeException(length, maxFrameSize);
        return length;
    }
}
