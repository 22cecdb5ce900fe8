package kitsune.thrift;

/**
 * Who is calling, per client connection: fixed once the transport's authentication finished.
 *
 * @param connectionId unique per TCP connection, so that sessions can be closed when it drops
 * @param user         the authenticated (SASL) user, or null with NOSASL (the OpenSession username is used)
 * @param clientAddress the peer's IP address
 */
public record ClientContext(String connectionId, String user, String clientAddress) {
}
