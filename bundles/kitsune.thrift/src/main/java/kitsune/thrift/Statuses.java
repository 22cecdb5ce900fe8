package kitsune.thrift;

import org.apache.hive.service.rpc.thrift.TStatus;
import org.apache.hive.service.rpc.thrift.TStatusCode;

/** TStatus values as the Hive JDBC driver reads them: message, SQLState and error code. */
public final class Statuses {
    /** SQLState for a generic error (HiveServer2 uses it too). */
    public static final String GENERAL_ERROR = "HY000";
    /** A setting the client sent is not allowed or not valid (SQLSTATE 22023, invalid parameter value). */
    public static final String INVALID_SETTING = "22023";
    /** The login may not do what it asked (SQLSTATE 42501, insufficient privilege), e.g. impersonate that user. */
    public static final String NOT_ALLOWED = "42501";

    private Statuses() {
    }

    public static TStatus ok() {
        return new TStatus(TStatusCode.SUCCESS_STATUS);
    }

    public static TStatus error(String message, String sqlState) {
        TStatus s = new TStatus(TStatusCode.ERROR_STATUS);
        s.setErrorMessage(message);
        s.setSqlState(sqlState == null ? GENERAL_ERROR : sqlState);
        s.setErrorCode(0);
        return s;
    }

    public static TStatus error(String message) {
        return error(message, GENERAL_ERROR);
    }

    /** An error for an unexpected exception: its class and message, never a bare stack trace. */
    public static TStatus error(Throwable t) {
        String msg = t.getMessage();
        return error(msg == null || msg.isBlank() ? t.getClass().getName() : msg, GENERAL_ERROR);
    }

    public static TStatus notSupported(String what) {
        return error(what + " is not supported by Kitsune", "0A000");
    }

    public static boolean isOk(TStatus s) {
        return s != null && (s.getStatusCode() == TStatusCode.SUCCESS_STATUS
                || s.getStatusCode() == TStatusCode.SUCCESS_WITH_INFO_STATUS);
    }
}
