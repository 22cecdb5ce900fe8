package kitsune.api.registry;

/** Small helpers for znode paths. */
public final class ZkPaths {
    private ZkPaths() {
    }

    /** "kyuubi", "/kyuubi" and "/kyuubi/" all become "kyuubi". */
    public static String trimSlashes(String s) {
        if (s == null) return null;
        int b = 0, e = s.length();
        while (b < e && s.charAt(b) == '/') b++;
        while (e > b && s.charAt(e - 1) == '/') e--;
        return s.substring(b, e);
    }

    /** The root path of a namespace: "kyuubi" becomes "/kyuubi". */
    public static String namespacePath(String namespace) {
        return "/" + trimSlashes(namespace);
    }

    /**
     * Where the servers of a namespace keep their session records: "kyuubi" becomes "/kyuubi_sessions", beside the
     * namespace's server nodes and its engine spaces (whose names go on with a version, never with "sessions").
     */
    public static String sessionsPath(String namespace) {
        return "/" + trimSlashes(namespace) + "_sessions";
    }

    /**
     * Where the servers of a namespace publish the base URL of their REST API, one record per server named by its
     * Thrift host:port (the owner named in a batch's row): "kyuubi" becomes "/kyuubi_rest". A record says where a
     * server was; whether it is alive is told by its node in the namespace.
     */
    public static String restPath(String namespace) {
        return "/" + trimSlashes(namespace) + "_rest";
    }
}
