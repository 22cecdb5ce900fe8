package kitsune.frontend.thrift.impl;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.thrift.TApplicationException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.sasl.NegotiationStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a client that arrives while every worker thread is busy that the server is full, in the client's own
 * protocol, so that Hive JDBC reports the reason (and can move on to another server) instead of hanging or seeing a
 * bare reset: a SASL client gets a SASL ERROR message, a NOSASL client gets a TApplicationException in reply to its
 * first call. This runs on one thread of its own with a short queue and short timeouts; beyond that queue a
 * connection is simply closed.
 */
final class ConnectionRefuser {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRefuser.class);
    private static final int TIMEOUT_MS = 2000;
    private final boolean sasl;
    private final ThreadPoolExecutor executor;

    ConnectionRefuser(boolean sasl) {
        this.sasl = sasl;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16), r -> {
            Thread t = new Thread(r, "kitsune-thrift-refuser");
            t.setDaemon(true);
            return t;
        }, (r, pool) -> ((Refusal) r).socket.close());
    }

    void refuse(TSocket socket, String reason) {
        LOG.warn("Refusing connection from {}: {}", Peers.describe(socket), reason);
        executor.execute(new Refusal(socket, reason));
    }

    void shutdown() {
        executor.shutdownNow();
    }

    private final class Refusal implements Runnable {
        final TSocket socket;
        final String reason;

        Refusal(TSocket socket, String reason) {
            this.socket = socket;
            this.reason = reason;
        }

        @Override
        public void run() {
            try {
                Socket s = socket.getSocket();
                s.setSoTimeout(TIMEOUT_MS);
                if (sasl) {
                    answerSasl(s);
                } else {
                    answerBinary();
                }
            } catch (Exception e) {
                LOG.debug("Could not tell {} why it was refused: {}", Peers.describe(socket), e.toString());
            } finally {
                socket.close();
            }
        }

        private void answerSasl(Socket s) throws Exception {
            byte[] msg = reason.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(ByteBuffer.allocate(5 + msg.length).put(NegotiationStatus.ERROR.getValue()).putInt(msg.length)
                    .put(msg).array());
            out.flush();
            s.shutdownOutput();
            // Read what the client sent until it closes, so that closing does not reset the connection before the
            // client has read the message.
            InputStream in = s.getInputStream();
            byte[] sink = new byte[4096];
            while (in.read(sink) >= 0) {
                // discard
            }
        }

        private void answerBinary() throws Exception {
            TBinaryProtocol p = new TBinaryProtocol(socket);
            TMessage call = p.readMessageBegin();
            TProtocolUtil.skip(p, TType.STRUCT);
            p.readMessageEnd();
            p.writeMessageBegin(new TMessage(call.name, TMessageType.EXCEPTION, call.seqid));
            new TApplicationException(TApplicationException.INTERNAL_ERROR, reason).write(p);
            p.writeMessageEnd();
            p.getTransport().flush();
        }
    }
}
