package kitsune.api.events;

/**
 * A statement that ended, as the audit and event logs see it (Kyuubi's KyuubiOperationEvent names where it has them).
 *
 * @param statementId  the operation's id (the handle's GUID the client holds)
 * @param sessionId    the session's id
 * @param sessionUser  the user the session runs as
 * @param clientIP     the client's address
 * @param statement    the statement text as the client sent it
 * @param state        the final state in Kyuubi's words (FINISHED, ERROR, CANCELED, TIMEOUT, CLOSED)
 * @param createTime   when ExecuteStatement came (epoch ms)
 * @param completeTime when the end was seen (epoch ms)
 * @param exception    the error the client got, or null
 */
public record OperationEvent(String statementId, String sessionId, String sessionUser, String clientIP,
        String statement, String state, long createTime, long completeTime, String exception) {
}
