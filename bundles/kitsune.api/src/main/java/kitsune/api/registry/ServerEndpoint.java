package kitsune.api.registry;

/**
 * The address at which this server's Thrift frontend accepts connections. The frontend registers one as an OSGi
 * service once its port accepts; the HA bundle registers it in ZooKeeper then, and only then.
 *
 * @param host           the advertised host (published in ZooKeeper and in the log line)
 * @param port           the bound port
 * @param authentication the value of kyuubi.authentication (for publish.configs)
 * @param ssl            whether the port speaks TLS (for publish.configs: hive.server2.use.SSL)
 */
public record ServerEndpoint(String host, int port, String authentication, boolean ssl) {
    /** A plain (not TLS) endpoint. */
    public ServerEndpoint(String host, int port, String authentication) {
        this(host, port, authentication, false);
    }

    public String hostPort() {
        return host + ":" + port;
    }
}
