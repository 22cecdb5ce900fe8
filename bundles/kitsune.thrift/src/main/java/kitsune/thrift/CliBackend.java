package kitsune.thrift;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TCloseOperationReq;
import org.apache.hive.service.rpc.thrift.TCloseOperationResp;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusReq;
import org.apache.hive.service.rpc.thrift.TGetOperationStatusResp;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataReq;
import org.apache.hive.service.rpc.thrift.TGetResultSetMetadataResp;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;

/**
 * What the Thrift frontend calls: every TCLIService call, plus the connection context that only the transport
 * knows. Implementations answer errors as statuses in the response, never by throwing, so that the client always
 * gets a message naming the cause.
 */
public interface CliBackend extends TCLIService.Iface {
    /** OpenSession with the caller's connection context. */
    TOpenSessionResp openSession(ClientContext context, TOpenSessionReq req);

    /** The client's connection is gone: close the sessions it opened (when configured so). */
    void connectionClosed(ClientContext context);

    /**
     * FetchResults answered from what this service holds in memory, without waiting for anything (an engine, a lock
     * held across I/O, a record in ZooKeeper), or null when the call must take the usual way on a worker thread. The
     * frontend calls this on a connection's I/O thread, with the caller current in {@link Callers}, before it hands
     * the call to a worker: an answer here saves two thread hand-offs. It must never block and never refuse: anything
     * that is not certain goes the usual way (null).
     *
     * @since 1.5
     */
    default TFetchResultsResp fetchResultsAtOnce(TFetchResultsReq req) {
        return null;
    }

    /** CloseOperation answered at once, under the rules of {@link #fetchResultsAtOnce}; null for the usual way. */
    default TCloseOperationResp closeOperationAtOnce(TCloseOperationReq req) {
        return null;
    }

    /**
     * GetOperationStatus answered at once, under the rules of {@link #fetchResultsAtOnce}; null for the usual way.
     *
     * @since 1.6
     */
    default TGetOperationStatusResp getOperationStatusAtOnce(TGetOperationStatusReq req) {
        return null;
    }

    /**
     * GetResultSetMetadata answered at once, under the rules of {@link #fetchResultsAtOnce}; null for the usual way.
     *
     * @since 1.6
     */
    default TGetResultSetMetadataResp getResultSetMetadataAtOnce(TGetResultSetMetadataReq req) {
        return null;
    }

    /** Plain OpenSession without a context is not how the frontend calls; it is refused. */
    @Override
    default TOpenSessionResp OpenSession(TOpenSessionReq req) {
        TOpenSessionResp resp = new TOpenSessionResp();
        resp.setStatus(Statuses.error("OpenSession needs a client connection context", "08S01"));
        return resp;
    }
}
