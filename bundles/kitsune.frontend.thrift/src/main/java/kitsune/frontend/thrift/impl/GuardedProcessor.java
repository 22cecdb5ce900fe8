package kitsune.frontend.thrift.impl;

import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.thrift.TBase;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.apache.thrift.transport.TTransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.metrics.ServerMetrics;
import kitsune.thrift.Callers;
import kitsune.thrift.CliBackend;
import kitsune.thrift.ClientContext;

/**
 * Runs one call, whole in memory: the request message as read by {@link ThriftMessageDecoder}, the TCLIService
 * processor (over {@link BackendDispatcher}) with the calling connection's {@link ClientContext} current on this
 * worker thread, and the reply's bytes. A call that cannot be read ends its connection with one WARN line naming the
 * cause (Thrift's servers would log a stack trace at ERROR for each); a failure of the server itself is logged with
 * its stack trace.
 */
final class GuardedProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedProcessor.class);
    /** libthrift's text (with type END_OF_FILE) when a field exceeds the transport's maximum message size. */
    private static final String MAX_MESSAGE_SIZE_REACHED = "MaxMessageSize reached";
    private static final int REPLY_BUFFER = 1024;
    /** FetchResults and CloseOperation calls are a few hundred bytes; anything larger goes the usual way. */
    private static final int AT_ONCE_MAX = 16 * 1024;

    /**
     * A call's outcome: the reply, the first {@code length} bytes of {@code buffer} (none for a oneway call); or, when
     * {@code closeCause} is set, no reply and the connection is closed for that cause.
     */
    record Reply(byte[] buffer, int length, String closeCause) {
        static Reply closing(String cause) {
            return new Reply(new byte[0], 0, cause);
        }
    }

    private final TProcessor delegate;
    private final ThreadLocal<ClientContext> calling;
    private final FrontendSettings settings;
    private final Supplier<CliBackend> backend;
    private final Supplier<ServerMetrics> metrics;

    private GuardedProcessor(TProcessor delegate, ThreadLocal<ClientContext> calling, FrontendSettings settings,
            Supplier<CliBackend> backend, Supplier<ServerMetrics> metrics) {
        this.delegate = delegate;
        this.calling = calling;
        this.settings = settings;
        this.backend = backend;
        this.metrics = metrics;
    }

    /** Calls go to whichever session service {@code backend} returns at the time of each call. */
    static GuardedProcessor forBackend(Supplier<CliBackend> backend, FrontendSettings settings) {
        return forBackend(backend, settings, Recorder.OFF);
    }

    /** As above, with each call's time and each OpenSession's outcome recorded in {@code metrics}. */
    static GuardedProcessor forBackend(Supplier<CliBackend> backend, FrontendSettings settings,
            Supplier<ServerMetrics> metrics) {
        ThreadLocal<ClientContext> calling = new ThreadLocal<>();
        TCLIService.Iface handler = BackendDispatcher.create(backend, calling::get, metrics);
        return new GuardedProcessor(new TCLIService.Processor<>(handler), calling, settings, backend, metrics);
    }

    /**
     * The reply to a call the session service answers without waiting ({@link CliBackend#fetchResultsAtOnce},
     * {@link CliBackend#closeOperationAtOnce}, {@link CliBackend#getOperationStatusAtOnce},
     * {@link CliBackend#getResultSetMetadataAtOnce}), made on this thread (a connection's I/O thread); null for every other
     * call, for one the service does not answer so, and for anything unexpected: the worker then runs the call as
     * usual, from the same bytes, and reports whatever is wrong with it.
     */
    Reply processAtOnce(byte[] request, ClientContext client) {
        CliBackend b = backend.get();
        if (b == null || request.length > AT_ONCE_MAX) return null;
        long start = System.nanoTime();
        try {
            TMemoryInputTransport in = new TMemoryInputTransport(new TConfiguration(AT_ONCE_MAX, AT_ONCE_MAX,
                    TConfiguration.DEFAULT_RECURSION_DEPTH), request);
            TBinaryProtocol iprot = new TBinaryProtocol(in, true, true);
            TMessage msg = iprot.readMessageBegin();
            if (msg.type != TMessageType.CALL) return null;
            TBase<?, ?> result = switch (msg.name) {
                case "FetchResults" -> atOnce(iprot, new TCLIService.FetchResults_args(),
                        TCLIService.FetchResults_args::getReq, q -> Callers.as(client, () -> b.fetchResultsAtOnce(q)),
                        TCLIService.FetchResults_result::new, TCLIService.FetchResults_result::setSuccess);
                case "CloseOperation" -> atOnce(iprot, new TCLIService.CloseOperation_args(),
                        TCLIService.CloseOperation_args::getReq,
                        q -> Callers.as(client, () -> b.closeOperationAtOnce(q)),
                        TCLIService.CloseOperation_result::new, TCLIService.CloseOperation_result::setSuccess);
                case "GetOperationStatus" -> atOnce(iprot, new TCLIService.GetOperationStatus_args(),
                        TCLIService.GetOperationStatus_args::getReq,
                        q -> Callers.as(client, () -> b.getOperationStatusAtOnce(q)),
                        TCLIService.GetOperationStatus_result::new, TCLIService.GetOperationStatus_result::setSuccess);
                case "GetResultSetMetadata" -> atOnce(iprot, new TCLIService.GetResultSetMetadata_args(),
                        TCLIService.GetResultSetMetadata_args::getReq,
                        q -> Callers.as(client, () -> b.getResultSetMetadataAtOnce(q)),
                        TCLIService.GetResultSetMetadata_result::new,
                        TCLIService.GetResultSetMetadata_result::setSuccess);
                default -> null;
            };
            if (result == null) return null;
            iprot.readMessageEnd();
            TMemoryBuffer out = new TMemoryBuffer(REPLY_BUFFER);
            TBinaryProtocol oprot = new TBinaryProtocol(out, true, true);
            oprot.writeMessageBegin(new TMessage(msg.name, TMessageType.REPLY, msg.seqid));
            result.write(oprot);
            oprot.writeMessageEnd();
            metrics.get().backendCall(msg.name, System.nanoTime() - start);
            return new Reply(out.getArray(), out.length(), null);
        } catch (Exception e) {
            // the worker runs it as usual: a malformed call is reported there, a failure of the service logged there
            LOG.debug("Call of connection {} not answered at once: {}", client.connectionId(), e.toString());
            return null;
        }
    }

    /**
     * Reads a call's arguments and wraps the backend's answer at once as the call's result; null when the call has no
     * request or the backend gives no answer (the worker then runs it as usual).
     */
    private static <A extends TBase<?, ?>, Q, P, R extends TBase<?, ?>> TBase<?, ?> atOnce(TProtocol in, A args,
            Function<A, Q> request, Answer<Q, P> answer, Supplier<R> result, BiConsumer<R, P> success)
            throws Exception {
        args.read(in);
        Q req = request.apply(args);
        P resp = req == null ? null : answer.of(req);
        if (resp == null) return null;
        R r = result.get();
        success.accept(r, resp);
        return r;
    }

    /** The backend's answer at once to a request, or null. */
    @FunctionalInterface
    private interface Answer<Q, P> {
        P of(Q request) throws Exception;
    }

    /** Runs the call on this thread (a worker's: the backend may block). */
    Reply process(byte[] request, ClientContext client) {
        int max = settings.maxMessageSize();
        TConfiguration conf = new TConfiguration(max, max, TConfiguration.DEFAULT_RECURSION_DEPTH);
        calling.set(client);
        try {
            TMemoryInputTransport in = new TMemoryInputTransport(conf, request);
            TMemoryBuffer out = new TMemoryBuffer(conf, REPLY_BUFFER);
            delegate.process(new TBinaryProtocol(in, true, true), new TBinaryProtocol(out, true, true));
            return new Reply(out.getArray(), out.length(), null);
        } catch (TTransportException e) {
            if (MAX_MESSAGE_SIZE_REACHED.equals(e.getMessage())) {
                return Reply.closing("message exceeds " + ConfigKeys.THRIFT_MAX_MESSAGE_SIZE.name() + "=" + max
                        + " bytes");
            }
            return Reply.closing("not a Thrift binary protocol call: " + e.getMessage());
        } catch (TProtocolException e) {
            return Reply.closing("not a Thrift binary protocol call: " + e.getMessage());
        } catch (TException e) {
            return Reply.closing(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("A call of connection {} failed in the frontend", client.connectionId(), e);
            return Reply.closing(e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            calling.remove();
        }
    }
}
