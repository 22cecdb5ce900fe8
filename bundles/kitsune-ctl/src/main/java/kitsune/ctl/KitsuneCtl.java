package kitsune.ctl;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.apache.zookeeper.KeeperException;

import com.fasterxml.jackson.databind.JsonNode;

import kitsune.api.engine.EngineConf;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;
import kitsune.api.registry.ZkPaths;

/**
 * {@code bin/kitsune-ctl}: lists, shows, de-registers and exposes the servers and engines registered in ZooKeeper, with
 * kyuubi-ctl's syntax and output. Output goes to stdout; an error is one line on stderr and a non-zero exit status.
 */
public final class KitsuneCtl {
    static final List<String> HEADERS = List.of("Namespace", "Host", "Port", "Version");
    /** Engine tables add where each engine runs: its Spark application (and standalone driver) and master. */
    static final List<String> ENGINE_HEADERS = List.of("Namespace", "Host", "Port", "Version", "Application", "Master");

    private final Path confDir;
    private final Properties sysProps;
    private final PrintStream out;
    private final PrintStream err;

    KitsuneCtl(Path confDir, Properties sysProps, PrintStream out, PrintStream err) {
        this.confDir = confDir;
        this.sysProps = sysProps;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int rc = new KitsuneCtl(defaultConfDir(), System.getProperties(), out, err).run(args);
        out.flush();
        err.flush();
        System.exit(rc);
    }

    /** -Dkitsune.conf.dir (set by bin/kitsune-ctl), else $KITSUNE_CONF_DIR, else -Dkitsune.home/conf, else none. */
    static Path defaultConfDir() {
        String dir = System.getProperty("kitsune.conf.dir");
        if (dir == null || dir.isBlank()) dir = System.getenv("KITSUNE_CONF_DIR");
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        String home = System.getProperty("kitsune.home");
        return home == null || home.isBlank() ? null : Path.of(home, "conf");
    }

    /** Runs one command line; returns the exit status. */
    int run(String... args) {
        try {
            CtlArgs a = CtlArgs.parse(args);
            if (a.help) {
                out.print(CtlArgs.usage());
                return 0;
            }
            return execute(a);
        } catch (CtlException e) {
            err.println("Error: " + e.getMessage());
            return e.exitCode();
        } catch (RuntimeException | LinkageError e) {
            err.println("Error: " + e);
            return CtlException.FAILED;
        }
    }

    private int execute(CtlArgs a) throws CtlException {
        if (a.words.isEmpty()) throw CtlException.usage("Must specify action command: [create|get|delete|list] (see kitsune-ctl --help)");
        String action = a.words.get(0).toLowerCase(Locale.ROOT);
        if (!List.of("create", "get", "delete", "list", "log", "submit").contains(action)) {
            throw CtlException.usage("Unknown command '" + a.words.get(0) + "': expected create, get, delete, list, "
                    + "log or submit (see kitsune-ctl --help)");
        }
        if (a.words.size() < 2) {
            throw CtlException.usage("Must specify resource: " + action + (List.of("log", "submit").contains(action)
                    ? " batch" : " [server|engine|session|batch]") + " (see kitsune-ctl --help)");
        }
        String resource = a.words.get(1).toLowerCase(Locale.ROOT);
        if (resource.equals("batch")) {
            return new BatchCommands(a, CtlConf.load(confDir, sysProps, a.conf), out, err).run(action);
        }
        if (List.of("log", "submit").contains(action)) {
            throw CtlException.usage("Unknown resource '" + a.words.get(1) + "': " + action + " works on batches only ("
                    + action + " batch)");
        }
        if (resource.equals("session")) return sessions(action, a);
        if (!List.of("server", "engine").contains(resource)) {
            throw CtlException.usage("Unknown resource '" + a.words.get(1) + "': expected server, engine or session (see kitsune-ctl --help)");
        }
        if (a.words.size() > 2) throw CtlException.usage("Unexpected argument '" + a.words.get(2) + "' (see kitsune-ctl --help)");
        if (resource.equals("engine") && blankToNull(a.hostUrl) != null) return restEngines(action, a);
        if (action.equals("create") && resource.equals("engine")) {
            throw CtlException.usage("create engine is not supported: a server launches an engine on its user's first session");
        }
        if (resource.equals("server")) {
            for (String[] o : new String[][] {{a.user, "--user"}, {a.engineType, "--engine-type"},
                    {a.engineShareLevel, "--engine-share-level"}, {a.engineSubdomain, "--engine-subdomain"}}) {
                if (o[0] != null) throw CtlException.usage("Option " + o[1] + " applies to engine commands only");
            }
        }

        CtlConf conf = CtlConf.load(confDir, sysProps, a.conf);
        String quorum = blankToNull(a.zkQuorum) != null ? a.zkQuorum.trim() : conf.zkQuorum();
        String namespace = blankToNull(a.namespace) != null ? a.namespace.trim() : conf.namespace();
        if (ZkPaths.trimSlashes(namespace).isEmpty()) throw CtlException.usage("The namespace is empty");
        if (a.verbose) {
            out.println("Parsed arguments:");
            out.println("  action                  " + action);
            out.println("  resource                " + resource);
            out.println("  zkQuorum                " + quorum);
            out.println("  namespace               " + namespace);
            out.println("  host                    " + a.host);
            out.println("  port                    " + a.port);
            out.println("  version                 " + a.version);
            out.println("  conf dir                " + confDir);
        }

        if (resource.equals("server")) {
            return switch (action) {
                case "list" -> listServer(conf, quorum, namespace, a);
                case "get" -> getServer(conf, quorum, namespace, a);
                case "delete" -> deleteServer(conf, quorum, namespace, a);
                default -> createServer(conf, quorum, a);
            };
        }
        return engines(action, conf, quorum, namespace, a);
    }

    // ---------------------------------------------------------------- over the REST API

    /** list session, delete session ID: through the server's REST API, as kyuubi-ctl. */
    private int sessions(String action, CtlArgs a) throws CtlException {
        if (!List.of("list", "delete").contains(action)) {
            throw CtlException.usage("'" + action + " session' is not a command: list session or delete session ID");
        }
        if (action.equals("list") && a.words.size() > 2) {
            throw CtlException.usage("Unexpected argument '" + a.words.get(2) + "' (see kitsune-ctl --help)");
        }
        if (action.equals("delete") && a.words.size() != 3) {
            throw CtlException.usage("Must specify the session: delete session <session identifier>");
        }
        RestClient rest = RestClient.of(a, CtlConf.load(confDir, sysProps, a.conf));
        if (action.equals("delete")) {
            String id = a.words.get(2).trim();
            JsonNode done = rest.delete("/admin/sessions/" + pathSegment(id), Map.of());
            out.println(done != null && done.hasNonNull("message") ? done.get("message").asText()
                    : "Session " + id + " is closed.");
            return 0;
        }
        JsonNode sessions;
        try {
            // an administrator sees every session of the server, anyone else their own
            sessions = rest.get("/admin/sessions", Map.of());
        } catch (RestClient.Refused notAdmin) {
            if (notAdmin.status != 403) throw notAdmin;
            sessions = rest.get("/sessions", Map.of());
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode s : sessions) {
            List<String> conf = new ArrayList<>();
            s.path("conf").fields().forEachRemaining(e -> conf.add(e.getKey() + "=" + e.getValue().asText()));
            rows.add(List.of(s.path("identifier").asText(), s.path("user").asText(), s.path("ipAddr").asText(),
                    String.join("\n", conf), time(s.path("createTime").asLong()), s.path("duration").asText(),
                    s.path("idleTime").asText()));
        }
        out.print(Tabulator.format("Live Session List (total " + rows.size() + ")", List.of("Identifier", "User",
                "Ip Address", "Conf", "Create Time", "Duration[ms]", "Idle Time[ms]"), rows));
        return 0;
    }

    /** list engine, delete engine with --hostUrl: the REST admin API's engine calls, as kyuubi-ctl's admin commands. */
    private int restEngines(String action, CtlArgs a) throws CtlException {
        if (!List.of("list", "delete").contains(action)) {
            throw CtlException.usage("'" + action + " engine' with --hostUrl is not a command: list engine or delete "
                    + "engine");
        }
        String user = blankToNull(a.user);
        if (user == null) throw CtlException.usage("Must specify user name for engine, please use -u or --user.");
        RestClient rest = RestClient.of(a, CtlConf.load(confDir, sysProps, a.conf));
        Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("type", blankToNull(a.engineType));
        query.put("sharelevel", blankToNull(a.engineShareLevel));
        query.put("subdomain", blankToNull(a.engineSubdomain));
        query.put("hive.server2.proxy.user", user.trim());
        if (action.equals("delete")) {
            JsonNode done = rest.delete("/admin/engine", query);
            out.println(done != null && done.hasNonNull("message") ? done.get("message").asText() : "Deleted.");
            return 0;
        }
        JsonNode engines = rest.get("/admin/engine", query);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : engines) {
            List<String> attributes = new ArrayList<>();
            e.path("attributes").fields().forEachRemaining(kv -> attributes.add(kv.getKey() + "="
                    + kv.getValue().asText()));
            rows.add(List.of(e.path("namespace").asText() + "\n" + e.path("engineType").asText() + " "
                    + e.path("sharelevel").asText() + " " + e.path("subdomain").asText(),
                    e.path("instance").asText(), String.join("\n", attributes)));
        }
        out.print(Tabulator.format("Engine Node List (total " + rows.size() + ")", List.of("Namespace", "Instance",
                "Attributes"), rows));
        return 0;
    }

    private static String pathSegment(String id) throws CtlException {
        if (!id.matches("[A-Za-z0-9-]{1,64}")) {
            throw CtlException.usage("Invalid session identifier '" + id + "': expected the identifier list session "
                    + "shows");
        }
        return id;
    }

    private static String time(long millis) {
        return millis <= 0 ? "" : java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(java.time.ZoneId.systemDefault()).format(java.time.Instant.ofEpochMilli(millis));
    }

    // ---------------------------------------------------------------- servers

    private int listServer(CtlConf conf, String quorum, String namespace, CtlArgs a) throws CtlException {
        String ns = ZkPaths.namespacePath(namespace);
        try (Registry reg = Registry.connect(quorum, conf.connectWait(), conf.sessionTimeout(), conf.zkAuth())) {
            List<ServiceNode> nodes = withVersion(reg.serviceNodes(ns), a.version);
            out.print(render("Zookeeper service nodes", nodes));
        }
        return 0;
    }

    private int getServer(CtlConf conf, String quorum, String namespace, CtlArgs a) throws CtlException {
        String ns = ZkPaths.namespacePath(namespace);
        int port = requirePort(a);
        HostMatcher host = requireHost(a);
        try (Registry reg = Registry.connect(quorum, conf.connectWait(), conf.sessionTimeout(), conf.zkAuth())) {
            List<ServiceNode> nodes = matching(reg.serviceNodes(ns), host, port, a.version);
            if (nodes.isEmpty()) throw noServer(a, port, ns);
            out.print(render("Zookeeper service nodes", nodes));
        }
        return 0;
    }

    private int deleteServer(CtlConf conf, String quorum, String namespace, CtlArgs a) throws CtlException {
        String ns = ZkPaths.namespacePath(namespace);
        int port = requirePort(a);
        HostMatcher host = requireHost(a);
        try (Registry reg = Registry.connect(quorum, conf.connectWait(), conf.sessionTimeout(), conf.zkAuth())) {
            List<ServiceNode> nodes = matching(reg.serviceNodes(ns), host, port, a.version);
            if (nodes.isEmpty()) throw noServer(a, port, ns);
            return delete(reg, nodes);
        }
    }

    private static CtlException noServer(CtlArgs a, int port, String ns) {
        return CtlException.failed("No server registered at " + a.host.trim() + ":" + port + " in namespace " + ns
                + (a.version != null ? " with version " + a.version : ""));
    }

    /**
     * Exposes every server of the configured namespace in the namespace given by --namespace (on the --zk-quorum
     * ensemble when that differs from the configured one): PERSISTENT_SEQUENTIAL nodes with the same host, port,
     * version and data, as kyuubi-ctl does. A server already exposed there (same name up to the sequence) is skipped.
     */
    private int createServer(CtlConf conf, String quorum, CtlArgs a) throws CtlException {
        String fromNs = ZkPaths.namespacePath(conf.namespace());
        if (blankToNull(a.namespace) == null || ZkPaths.namespacePath(a.namespace).equals(fromNs)) {
            throw CtlException.usage("Only support expose Kitsune server instance to another domain, a different "
                    + "namespace than the default namespace [" + ZkPaths.trimSlashes(conf.namespace())
                    + "] should be specified with --namespace");
        }
        String toNs = ZkPaths.namespacePath(a.namespace);
        String fromQuorum = conf.zkQuorum();
        List<ServiceNode> created = new ArrayList<>();
        try (Registry from = Registry.connect(fromQuorum, conf.connectWait(), conf.sessionTimeout(), conf.zkAuth())) {
            List<ServiceNode> current = withVersion(from.serviceNodes(fromNs), a.version);
            Registry to = quorum.equals(fromQuorum) ? from
                    : Registry.connect(quorum, conf.connectWait(), conf.sessionTimeout(), conf.zkAuth());
            try {
                List<String> existing = new ArrayList<>();
                for (ServiceNode n : to.serviceNodes(toNs)) existing.add(withoutSequence(n.name()));
                for (ServiceNode sn : current) {
                    String version = sn.version() == null ? "" : sn.version();
                    String prefix = ServiceNode.namePrefix(sn.host(), sn.port(), version, java.util.Map.of(), null);
                    if (existing.contains(prefix)) {
                        out.println("Warning: server instance:" + sn.hostPort() + " with version:" + version
                                + " is already exposed in " + toNs);
                        continue;
                    }
                    out.println("Exposing server instance:" + sn.hostPort() + " with version:" + version + " from "
                            + fromNs + " to " + toNs);
                    String path = to.createPersistentSequential(toNs + "/" + prefix, from.data(sn.path()));
                    String name = path.substring(path.lastIndexOf('/') + 1);
                    created.add(new ServiceNode(toNs, name, sn.host(), sn.port(), sn.attributes()));
                }
            } finally {
                if (to != from) to.close();
            }
        }
        out.print(render("Created zookeeper service nodes", created));
        return 0;
    }

    private static String withoutSequence(String name) {
        int i = name.lastIndexOf("sequence=");
        return i < 0 ? name : name.substring(0, i + "sequence=".length());
    }

    // ---------------------------------------------------------------- engines

    private int engines(String action, CtlConf conf, String quorum, String namespace, CtlArgs a) throws CtlException {
        String user = blankToNull(a.user);
        if (user == null) throw CtlException.usage("Must specify user name for engine, please use -u or --user.");
        String type = blankToNull(a.engineType) != null ? a.engineType.trim() : conf.engineType();
        String levelName = blankToNull(a.engineShareLevel) != null ? a.engineShareLevel.trim() : conf.shareLevel();
        ShareLevel level;
        try {
            level = ShareLevel.valueOf(levelName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw CtlException.usage("Invalid engine share level '" + levelName
                    + "' (allowed: CONNECTION, USER, GROUP, SERVER)");
        }
        String version = blankToNull(a.version) != null ? a.version.trim() : conf.engineSpaceVersion();
        String subdomain = blankToNull(a.engineSubdomain);
        boolean allSubdomains = subdomain == null && level == ShareLevel.CONNECTION;
        if (subdomain == null && !allSubdomains) subdomain = conf.subdomain();
        Integer port = null;
        HostMatcher host = null;
        if (a.host != null || a.port != null) {
            port = requirePort(a);
            host = requireHost(a);
        }
        EngineSpace space;
        try {
            space = new EngineSpace(namespace, version, level, type, user.trim(), allSubdomains ? "any" : subdomain);
        } catch (IllegalArgumentException e) {
            throw CtlException.usage(e.getMessage());
        }
        String userPath = space.commonParent() + "/" + space.routingUser();
        String where = allSubdomains ? userPath : space.path();
        try (Registry reg = Registry.connect(quorum, conf.connectWait(), conf.sessionTimeout(), conf.zkAuth())) {
            List<ServiceNode> nodes = new ArrayList<>();
            if (allSubdomains) {
                for (String sub : reg.children(userPath)) nodes.addAll(reg.serviceNodes(userPath + "/" + sub));
            } else {
                nodes.addAll(reg.serviceNodes(space.path()));
            }
            if (host != null) nodes = matching(nodes, host, port, null);
            if (action.equals("list")) {
                out.print(renderEngines("Zookeeper service nodes", nodes));
                return 0;
            }
            if (nodes.isEmpty()) {
                throw CtlException.failed("No engine registered for user " + space.routingUser() + " in " + where
                        + (host != null ? " at " + a.host.trim() + ":" + port : ""));
            }
            if (action.equals("get")) {
                out.print(renderEngines("Zookeeper service nodes", nodes));
                return 0;
            }
            return delete(reg, nodes);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Deletes the nodes, printing each as kyuubi-ctl does, then the table of those deleted. */
    private int delete(Registry reg, List<ServiceNode> nodes) {
        List<ServiceNode> deleted = new ArrayList<>();
        int rc = 0;
        for (ServiceNode n : nodes) {
            out.println("Deleting zookeeper service node:" + n.path());
            try {
                reg.delete(n.path());
                deleted.add(n);
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                String cause = e instanceof KeeperException.NoNodeException ? "it no longer exists"
                        : e instanceof KeeperException.NoAuthException ? Registry.NO_AUTH
                        : e instanceof KeeperException ke ? ke.code().name() : e.toString();
                err.println("Error: Failed to delete zookeeper service node:" + n.path() + ": " + cause);
                rc = CtlException.FAILED;
            }
        }
        out.print(render("Deleted zookeeper service nodes", deleted));
        return rc;
    }

    /**
     * Engines with their application: the Spark application id (kyuubi.engine.id), the standalone driver id of a
     * cluster-mode engine, the master and deploy mode. Ending an engine is deleting its node: it drains and stops, and
     * its application in the cluster ends with it.
     */
    static String renderEngines(String title, List<ServiceNode> nodes) {
        List<List<String>> rows = new ArrayList<>();
        for (ServiceNode n : nodes) {
            rows.add(List.of(n.parentPath(), n.host(), String.valueOf(n.port()),
                    n.version() == null ? "" : n.version(), EngineConf.application(n.attributes()),
                    EngineConf.master(n.attributes())));
        }
        return Tabulator.format(title, ENGINE_HEADERS, rows);
    }

    static String render(String title, List<ServiceNode> nodes) {
        List<List<String>> rows = new ArrayList<>();
        for (ServiceNode n : nodes) {
            rows.add(List.of(n.parentPath(), n.host(), String.valueOf(n.port()),
                    n.version() == null ? "" : n.version()));
        }
        return Tabulator.format(title, HEADERS, rows);
    }

    private static List<ServiceNode> withVersion(List<ServiceNode> nodes, String version) {
        if (blankToNull(version) == null) return nodes;
        return nodes.stream().filter(n -> version.trim().equals(n.version())).toList();
    }

    private static List<ServiceNode> matching(List<ServiceNode> nodes, HostMatcher host, int port, String version) {
        return withVersion(nodes, version).stream().filter(n -> n.port() == port && host.matches(n.host())).toList();
    }

    private static int requirePort(CtlArgs a) throws CtlException {
        if (blankToNull(a.host) == null) throw CtlException.usage("Must specify host for service, please use -s or --host.");
        if (blankToNull(a.port) == null) throw CtlException.usage("Must specify port for service, please use -p or --port.");
        int port;
        try {
            port = Integer.parseInt(a.port.trim());
        } catch (NumberFormatException e) {
            throw CtlException.usage("Specified port is not a valid integer number: " + a.port);
        }
        if (port <= 0 || port > 65535) throw CtlException.usage("Specified port should be a positive number up to 65535: " + a.port);
        return port;
    }

    private static HostMatcher requireHost(CtlArgs a) throws CtlException {
        return HostMatcher.of(a.host.trim());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
