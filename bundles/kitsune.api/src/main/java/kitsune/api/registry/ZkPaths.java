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
}
