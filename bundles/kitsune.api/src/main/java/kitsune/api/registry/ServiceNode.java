package kitsune.api.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A registered server or engine: its znode and what its name and data say. Names look like
 * {@code serverUri=host:port;version=v[;k=v...][;refId=id];sequence=0000000007}; data is {@code host:port} or
 * Hive's {@code hive.server2.thrift.bind.host=...;hive.server2.thrift.port=...} form.
 */
public record ServiceNode(String parentPath, String name, String host, int port, Map<String, String> attributes) {

    public ServiceNode {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    public String path() {
        return parentPath + "/" + name;
    }

    public String version() {
        return attributes.get("version");
    }

    public String refId() {
        return attributes.get("refId");
    }

    public String sequence() {
        return attributes.getOrDefault("sequence", "");
    }

    public String hostPort() {
        return host + ":" + port;
    }

    /**
     * The name prefix to create with EPHEMERAL_SEQUENTIAL (ZooKeeper appends the 10-digit sequence).
     *
     * @param extra further attributes in order (may be empty); refId, when not null, comes last before sequence
     */
    public static String namePrefix(String host, int port, String version, Map<String, String> extra, String refId) {
        StringBuilder sb = new StringBuilder("serverUri=").append(host).append(':').append(port)
                .append(";version=").append(version).append(';');
        extra.forEach((k, v) -> sb.append(k).append('=').append(v).append(';'));
        if (refId != null) sb.append("refId=").append(refId).append(';');
        return sb.append("sequence=").toString();
    }

    /**
     * Znode data in Hive's key=value form: host and port as {@code hive.server2.thrift.bind.host/port}, then further
     * attributes (values must not contain ';'), which {@link #parse} adds to the node's attributes.
     */
    public static String describedData(String host, int port, Map<String, String> attributes) {
        StringBuilder sb = new StringBuilder("hive.server2.thrift.bind.host=").append(host)
                .append(";hive.server2.thrift.port=").append(port);
        attributes.forEach((k, v) -> sb.append(';').append(k).append('=').append(v));
        return sb.toString();
    }

    /** The znode data Kyuubi writes by default. */
    public static String plainData(String host, int port) {
        return host + ":" + port;
    }

    /**
     * Parses a child of {@code parentPath}. Host and port come from the data when it has them (as clients read
     * them), else from the name's serverUri. Returns null for a node that is not a service node.
     */
    public static ServiceNode parse(String parentPath, String name, String data) {
        Map<String, String> attrs = new LinkedHashMap<>();
        for (String part : name.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) attrs.put(part.substring(0, eq), part.substring(eq + 1));
        }
        String hostPort = null;
        if (data != null && !data.isBlank()) {
            String d = data.trim();
            if (d.contains("=")) {
                Map<String, String> kv = new LinkedHashMap<>();
                for (String part : d.split(";")) {
                    int eq = part.indexOf('=');
                    if (eq > 0) kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
                // further key=value pairs of the data describe the service (engine application id, master, ...)
                kv.forEach((k, v) -> {
                    if (!k.startsWith("hive.server2.")) attrs.putIfAbsent(k, v);
                });
                String h = kv.get("hive.server2.thrift.bind.host");
                String p = kv.get("hive.server2.thrift.port");
                if (h != null && p != null) hostPort = h + ":" + p;
            } else {
                hostPort = d;
            }
        }
        if (hostPort == null) hostPort = attrs.get("serverUri");
        if (hostPort == null) return null;
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) return null;
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            return new ServiceNode(parentPath, name, hostPort.substring(0, colon), port, attrs);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Sorts nodes by their sequence suffix, oldest first. */
    public static List<ServiceNode> bySequence(List<ServiceNode> nodes) {
        List<ServiceNode> sorted = new ArrayList<>(nodes);
        sorted.sort((a, b) -> a.sequence().compareTo(b.sequence()));
        return sorted;
    }
}
