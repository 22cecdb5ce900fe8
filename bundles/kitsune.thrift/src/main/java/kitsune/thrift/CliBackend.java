package kitsune.thrift;

import org.apache.hive.service.rpc.thrift.TCLIService;
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

    /** Plain OpenSession without a context is not how the frontend calls; it is refused. */
    @Override
    default TOpenSessionResp OpenSession(TOpenSessionReq req) {
        TOpenSessionResp resp = new TOpenSessionResp();
        resp.setStatus(Statuses.error("OpenSession needs a client connection context", "08S01"));
        return resp;
    }
}
