package kitsune.api.events;

/**
 * A client session, as the audit and event logs see it (Kyuubi's KyuubiSessionEvent names where it has them).
 *
 * @param sessionId       the session's id (the handle's GUID the client holds)
 * @param user            the user the session runs as (the proxy user when one was asked for)
 * @param login           the user who logged in
 * @param clientIP        the client's address
 * @param engineSpace     the engine space (ZooKeeper path of the share level) serving it
 * @param engineAddress   host:port of the engine serving it
 * @param startTime       when it was opened (epoch ms)
 * @param endTime         when it was closed (epoch ms), or -1 while open
 * @param totalOperations statements run in it so far
 * @param reason          why the server closed it, or null
 */
public record SessionEvent(String sessionId, String user, String login, String clientIP, String engineSpace,
        String engineAddress, long startTime, long endTime, int totalOperations, String reason) {
}
