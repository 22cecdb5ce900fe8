package kitsune.thrift;

import java.nio.charset.StandardCharsets;

import javax.security.sasl.SaslException;

import org.apache.thrift.transport.TSaslServerTransport;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.sasl.NegotiationStatus;

/**
 * A Thrift SASL server transport that speaks PLAIN only, with {@link PlainSaslServer} (so no JCA provider has to be
 * installed JVM-wide), and refuses frames above a maximum size before allocating them: libthrift 0.16 reads any
 * announced frame length into one array, which lets a single bad header exhaust the heap.
 * Call {@link #open()} to run the handshake; {@link #user()} then names the client.
 */
public class PlainSaslServerTransport extends TSaslServerTransport {
    private final long maxFrameSize;
    private final PlainCredentials credentials;
    private PlainSaslServer plain;

    /** Accepting every login (kyuubi.authentication=NONE). */
    public PlainSaslServerTransport(TTransport underlying, long maxFrameSize) throws TTransportException {
        this(underlying, maxFrameSize, PlainCredentials.ANY);
    }

    /**
     * @param underlying   the accepted socket; its TConfiguration also bounds handshake messages
     * @param maxFrameSize largest data frame accepted after the handshake
     * @param credentials  what logins are accepted
     */
    public PlainSaslServerTransport(TTransport underlying, long maxFrameSize, PlainCredentials credentials)
            throws TTransportException {
        super(underlying);
        this.maxFrameSize = maxFrameSize;
        this.credentials = credentials;
    }

    @Override
    protected void handleSaslStartMessage() throws TTransportException, SaslException {
        var message = receiveSaslMessage();
        if (message.status != NegotiationStatus.START) {
            throw sendAndThrowMessage(NegotiationStatus.ERROR,
                    "Expecting START status, received " + message.status);
        }
        String mechanism = new String(message.payload, StandardCharsets.UTF_8);
        if (!PlainSaslServer.MECHANISM.equals(mechanism)) {
            throw sendAndThrowMessage(NegotiationStatus.BAD, "Unsupported SASL mechanism " + mechanism
                    + ": this server accepts PLAIN only");
        }
        plain = new PlainSaslServer(credentials);
        setSaslServer(plain);
    }

    @Override
    protected int readLength() throws TTransportException {
        int length = super.readLength();
        if (length > maxFrameSize) throw new FrameTooLargeException(length, maxFrameSize);
        return length;
    }

    /** The authenticated user; only after a successful {@link #open()}. */
    public String user() {
        return plain.getAuthorizationID();
    }
}
