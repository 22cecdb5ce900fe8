package kitsune.thrift;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TCancelDelegationTokenReq;
import org.apache.hive.service.rpc.thrift.TCancelDelegationTokenResp;
import org.apache.hive.service.rpc.thrift.TDownloadDataReq;
import org.apache.hive.service.rpc.thrift.TDownloadDataResp;
import org.apache.hive.service.rpc.thrift.TGetDelegationTokenReq;
import org.apache.hive.service.rpc.thrift.TGetDelegationTokenResp;
import org.apache.hive.service.rpc.thrift.TRenewDelegationTokenReq;
import org.apache.hive.service.rpc.thrift.TRenewDelegationTokenResp;
import org.apache.hive.service.rpc.thrift.TUploadDataReq;
import org.apache.hive.service.rpc.thrift.TUploadDataResp;

/**
 * The TCLIService calls Kitsune does not offer (Kerberos delegation tokens, data upload and download), answered
 * with a "not supported" status that names the call, by the server and the engine alike.
 */
public interface UnsupportedCalls extends TCLIService.Iface {
    @Override
    default TGetDelegationTokenResp GetDelegationToken(TGetDelegationTokenReq req) {
        return new TGetDelegationTokenResp(Statuses.notSupported("GetDelegationToken"));
    }

    @Override
    default TCancelDelegationTokenResp CancelDelegationToken(TCancelDelegationTokenReq req) {
        return new TCancelDelegationTokenResp(Statuses.notSupported("CancelDelegationToken"));
    }

    @Override
    default TRenewDelegationTokenResp RenewDelegationToken(TRenewDelegationTokenReq req) {
        return new TRenewDelegationTokenResp(Statuses.notSupported("RenewDelegationToken"));
    }

    @Override
    default TUploadDataResp UploadData(TUploadDataReq req) {
        return Responses.withStatus(TUploadDataResp.class, Statuses.notSupported("UploadData"));
    }

    @Override
    default TDownloadDataResp DownloadData(TDownloadDataReq req) {
        return Responses.withStatus(TDownloadDataResp.class, Statuses.notSupported("DownloadData"));
    }
}
