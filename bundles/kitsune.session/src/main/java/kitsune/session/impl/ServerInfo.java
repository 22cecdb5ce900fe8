package kitsune.session.impl;

import org.apache.hive.service.rpc.thrift.TGetInfoResp;
import org.apache.hive.service.rpc.thrift.TGetInfoType;
import org.apache.hive.service.rpc.thrift.TGetInfoValue;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.thrift.Statuses;

/**
 * GetInfo answered by this server, without a call to the engine: every name and limit JDBC's DatabaseMetaData asks for
 * when kyuubi.server.info.provider is SERVER, and, with ENGINE, the names while the session's engine is still found or
 * launched. Anything else is the engine's to answer.
 */
final class ServerInfo {
    static final String PRODUCT = "Kitsune";
    private static final String SERVER = "SERVER";

    private ServerInfo() {
    }

    /** Whether sessions of that configuration have their GetInfo answered by this server. */
    static boolean answeredByServer(KitsuneConf conf) {
        return SERVER.equals(conf.get(ConfigKeys.SERVER_INFO_PROVIDER));
    }

    /** This server's answer (kyuubi.server.info.provider=SERVER), or null for a type the engine answers. */
    static TGetInfoResp ofServer(TGetInfoType type, String release) {
        TGetInfoValue value = switch (type) {
            case CLI_SERVER_NAME, CLI_DBMS_NAME -> TGetInfoValue.stringValue(PRODUCT);
            case CLI_DBMS_VER -> TGetInfoValue.stringValue(release);
            case CLI_ODBC_KEYWORDS -> TGetInfoValue.stringValue("Unimplemented");
            case CLI_MAX_COLUMN_NAME_LEN, CLI_MAX_SCHEMA_NAME_LEN, CLI_MAX_TABLE_NAME_LEN ->
                    TGetInfoValue.lenValue(128);
            default -> null;
        };
        return value == null ? null : new TGetInfoResp(Statuses.ok(), value);
    }

    /**
     * With kyuubi.server.info.provider=ENGINE, while the engine is found or launched: the names, which do not depend on
     * the engine; null for the engine's own facts (its version, ...), which wait for the engine as a statement does.
     */
    static TGetInfoResp beforeEngine(TGetInfoType type) {
        TGetInfoValue value = switch (type) {
            case CLI_SERVER_NAME -> TGetInfoValue.stringValue(PRODUCT);
            case CLI_DBMS_NAME -> TGetInfoValue.stringValue("Spark SQL");
            default -> null;
        };
        return value == null ? null : new TGetInfoResp(Statuses.ok(), value);
    }
}
