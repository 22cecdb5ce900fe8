package kitsune.api.registry;

/**
 * The address at which this server's Thrift frontend accepts connections. The frontend registers one as an OSGi
 * service once its port accepts; the HA bundle registers it in ZooKeeper then, and only then.
 *
 * @param host           the advertised host (published in ZooKeeper and in the log line)
 * @param port           the bound port
 * @param authentication the value of kyuubi.authentication (for publish.configs)
 */
public record ServerEndpoint(String host, int port, String authentication) {
    public String hostPort() {
        return host + ":" + port;
    }
}
