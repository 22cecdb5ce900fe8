package kitsune.thrift;

/**
 * Who is calling, per client connection: fixed once the transport's authentication finished.
 *
 * @param connectionId unique per TCP connection, so that sessions can be closed when it drops
 * @param user         the authenticated (SASL) user, or null with NOSASL (the OpenSession username is used)
 * @param clientAddress the peer's IP address
 */
public record ClientContext(String connectionId, String user, String clientAddress) {
    /** How the HTTP transport's connection ids begin: a context per request, not per connection. */
    public static final String PER_REQUEST_PREFIX = "http-";

    /**
     * Whether this context is one request's (the HTTP transport), whose client may send its next request to any
     * server of the namespace, rather than a connection's, whose client stays on it.
     */
    public boolean perRequest() {
        return connectionId != null && connectionId.startsWith(PER_REQUEST_PREFIX);
    }
}
