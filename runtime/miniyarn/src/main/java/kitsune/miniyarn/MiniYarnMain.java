package kitsune.miniyarn;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.authorize.ProxyUsers;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * Runs a Hadoop {@link MiniYARNCluster} (1 ResourceManager, N NodeManagers) as a standalone
 * process whose every listening socket is bound to 127.0.0.1.
 *
 * <pre>
 * usage: MiniYarnMain &lt;confDir&gt; &lt;workDir&gt; [queueSpec]
 *   confDir   : core-site.xml and yarn-site.xml for clients are written here (HADOOP_CONF_DIR)
 *   workDir   : MUST be the process working directory; MiniYARNCluster keeps its NM local/log
 *               dirs under ./target/&lt;name&gt; (relative to the working directory, not configurable)
 *   queueSpec : CapacityScheduler leaf queues under root, "name:capacity[:maxCapacity],...",
 *               capacities in percent summing to 100. Default "default:99.9,tiny:0.1:0.1".
 * system properties (optional):
 *   miniyarn.nodemanagers (1), miniyarn.nm.memory-mb (4096), miniyarn.nm.vcores (4),
 *   miniyarn.watch-stdin (true), miniyarn.log.level (WARN, log4j root level)
 * JVM flag needed on Java 17: --add-opens=java.base/java.lang=ALL-UNNAMED (Guice 4 / cglib)
 * </pre>
 *
 * Prints exactly one line {@code MINIYARN READY rm=<host:port> web=<host:port>} to stdout
 * when the cluster is up (all logging goes to stderr), then runs until stdin reaches EOF or
 * the process gets SIGTERM/SIGINT, and stops the cluster.
 */
public final class MiniYarnMain {

    private static final String LOOPBACK = "127.0.0.1";
    private static final String DEFAULT_QUEUES = "default:99.9,tiny:0.1:0.1";
    private static final String CLUSTER_NAME = "kitsune-miniyarn";

    private MiniYarnMain() {
    }

    public static void main(String[] args) throws Exception {
        // Keep stdout for the READY line only: anything else that writes to System.out
        // (log4j console appenders, stray printlns) goes to stderr.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        // shaded Jersey/Guice log through java.util.logging at INFO; keep only warnings
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);

        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: MiniYarnMain <confDir> <workDir> [queueSpec]");
            System.exit(2);
        }
        File confDir = new File(args[0]).getAbsoluteFile();
        File workDir = new File(args[1]).getAbsoluteFile();
        String queueSpec = args.length == 3 ? args[2] : DEFAULT_QUEUES;
        int numNodeManagers = Integer.getInteger("miniyarn.nodemanagers", 1);
        int nmVcores = Integer.getInteger("miniyarn.nm.vcores", 4);
        int nmMemoryMb = Integer.getInteger("miniyarn.nm.memory-mb", 4096);
        boolean watchStdin = Boolean.parseBoolean(System.getProperty("miniyarn.watch-stdin", "true"));

        File cwd = new File("").getCanonicalFile();
        if (!cwd.equals(workDir.getCanonicalFile())) {
            System.err.println("MiniYarnMain: the working directory (" + cwd + ") must be the workDir ("
                    + workDir + "): MiniYARNCluster always creates and deletes ./target/" + CLUSTER_NAME);
            System.exit(2);
        }
        Files.createDirectories(confDir.toPath());

        String osUser = UserGroupInformation.getCurrentUser().getShortUserName();

        // Everything we set explicitly; the client-relevant subset is written to confDir.
        Map<String, String> core = new LinkedHashMap<>();
        core.put("fs.defaultFS", "file:///");
        core.put("hadoop.security.authentication", "simple");
        core.put("hadoop.proxyuser." + osUser + ".hosts", "*");
        core.put("hadoop.proxyuser." + osUser + ".groups", "*");

        Map<String, String> yarn = new LinkedHashMap<>();
        yarn.put("yarn.minicluster.fixed.ports", "true"); // else MiniYARNCluster rewrites RM addresses to <hostname>:0
        yarn.put("yarn.resourcemanager.hostname", LOOPBACK);
        yarn.put("yarn.resourcemanager.bind-host", LOOPBACK);
        yarn.put("yarn.resourcemanager.address", LOOPBACK + ":" + freePort());
        yarn.put("yarn.resourcemanager.scheduler.address", LOOPBACK + ":" + freePort());
        yarn.put("yarn.resourcemanager.resource-tracker.address", LOOPBACK + ":" + freePort());
        yarn.put("yarn.resourcemanager.admin.address", LOOPBACK + ":" + freePort());
        yarn.put("yarn.resourcemanager.webapp.address", LOOPBACK + ":" + freePort());
        yarn.put("yarn.resourcemanager.webapp.https.address", LOOPBACK + ":" + freePort());
        yarn.put("yarn.nodemanager.hostname", LOOPBACK);
        yarn.put("yarn.nodemanager.bind-host", LOOPBACK);
        // MiniYARNCluster 3.4.1 sets the NM memory from this key (default 4096), not from
        // yarn.nodemanager.resource.memory-mb
        yarn.put("yarn.minicluster.yarn.nodemanager.resource.memory-mb", Integer.toString(nmMemoryMb));
        yarn.put("yarn.nodemanager.resource.cpu-vcores", Integer.toString(nmVcores));
        yarn.put("yarn.nodemanager.pmem-check-enabled", "false");
        yarn.put("yarn.nodemanager.vmem-check-enabled", "false");
        yarn.put("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99.9");
        yarn.put("yarn.scheduler.minimum-allocation-mb", "256");
        yarn.put("yarn.scheduler.maximum-allocation-mb", Integer.toString(nmMemoryMb));
        yarn.put("yarn.scheduler.maximum-allocation-vcores", Integer.toString(nmVcores));
        yarn.put("yarn.resourcemanager.scheduler.class",
                "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler");
        yarn.put("yarn.scheduler.capacity.maximum-am-resource-percent", "0.5");
        yarn.putAll(queues(queueSpec));
        yarn.put("yarn.log-aggregation-enable", "false");
        yarn.put("yarn.timeline-service.enabled", "false");
        yarn.put("yarn.resourcemanager.am.max-attempts", "1");
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome == null || javaHome.isEmpty()) {
            // containers run {{JAVA_HOME}}/bin/java; give them this JVM's home
            yarn.put("yarn.nodemanager.admin-env",
                    "MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX,JAVA_HOME=" + System.getProperty("java.home"));
        }

        YarnConfiguration conf = new YarnConfiguration();
        core.forEach(conf::set);
        yarn.forEach(conf::set);

        // enableNMWeb=false: RM and NM web apps share Guice's static GuiceFilter pipeline in one JVM;
        // with NM web apps on, the last one started (an NM) also answers on the RM web port and
        // /ws/v1/cluster/* returns 404 "controller for v1 not found".
        MiniYARNCluster cluster = new MiniYARNCluster(CLUSTER_NAME, numNodeManagers, 1, 1, false);
        long t0 = System.nanoTime();
        try {
            startCluster(cluster, conf, numNodeManagers);
        } catch (Throwable t) {
            // RM/NM threads are non-daemon: without an explicit exit a failed start hangs the JVM
            System.err.println("MiniYarnMain: cluster start failed");
            t.printStackTrace();
            try {
                cluster.stop();
            } catch (Throwable ignored) {
                // best effort
            }
            System.exit(1);
        }
        Configuration rmConf = cluster.getResourceManager().getConfig();
        // the RPC servers check impersonation against this static registry
        ProxyUsers.refreshSuperUserGroupsConfiguration(rmConf);


        Map<String, String> clientYarn = clientYarnSite(yarn, rmConf);
        String rm = clientYarn.get("yarn.resourcemanager.address");
        String web = clientYarn.get("yarn.resourcemanager.webapp.address");
        writeSite(new File(confDir, "core-site.xml"), core);
        writeSite(new File(confDir, "yarn-site.xml"), clientYarn);

        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (stopped.compareAndSet(false, true)) {
                System.err.println("MiniYarnMain: stopping cluster");
                try {
                    cluster.stop();
                } catch (RuntimeException e) {
                    e.printStackTrace();
                }
                System.err.println("MiniYarnMain: cluster stopped");
            }
            stop.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "miniyarn-shutdown"));
        if (watchStdin) {
            Thread stdinWatcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                } catch (IOException ignored) {
                    // treat as EOF
                }
                System.err.println("MiniYarnMain: stdin closed");
                stop.countDown();
            }, "miniyarn-stdin");
            stdinWatcher.setDaemon(true);
            stdinWatcher.start();
        }

        System.err.printf("MiniYarnMain: started in %d ms, nodes=%d, conf written to %s%n",
                (System.nanoTime() - t0) / 1_000_000, numNodeManagers, confDir);
        stdout.println("MINIYARN READY rm=" + rm + " web=" + web);
        stdout.flush();

        stop.await();
        shutdown.run();
        System.exit(0);
    }

    private static void startCluster(MiniYARNCluster cluster, YarnConfiguration conf, int numNodeManagers)
            throws Exception {
        cluster.init(conf);
        // MiniYARNCluster hard-codes the NM addresses to <InetAddress.getLocalHost() name>:0. The NMs'
        // configurations are read again at start, so point them at loopback before starting.
        for (int i = 0; i < numNodeManagers; i++) {
            Configuration nmConf = cluster.getNodeManager(i).getConfig();
            nmConf.set("yarn.nodemanager.address", LOOPBACK + ":0");
            nmConf.set("yarn.nodemanager.localizer.address", LOOPBACK + ":0");
            nmConf.set("yarn.nodemanager.webapp.address", LOOPBACK + ":0");
            nmConf.set("yarn.nodemanager.collector-service.address", LOOPBACK + ":0");
        }
        cluster.start();
        if (!cluster.waitForNodeManagersToConnect(60_000)) {
            throw new IllegalStateException("NodeManagers did not register within 60s");
        }
    }

    /** Client yarn-site: the explicit settings with the RM's effective addresses. */
    private static Map<String, String> clientYarnSite(Map<String, String> explicit, Configuration rmConf) {
        Map<String, String> out = new LinkedHashMap<>(explicit);
        for (String key : List.of("yarn.resourcemanager.address", "yarn.resourcemanager.scheduler.address",
                "yarn.resourcemanager.resource-tracker.address", "yarn.resourcemanager.admin.address",
                "yarn.resourcemanager.webapp.address", "yarn.resourcemanager.webapp.https.address")) {
            InetSocketAddress a = rmConf.getSocketAddr(key, "0.0.0.0:0", 0);
            // the RM stores its connect address as "localhost:port"; clients get the literal IP
            out.put(key, LOOPBACK + ":" + a.getPort());
        }
        out.remove("yarn.minicluster.fixed.ports");
        return out;
    }

    /** "default:99.9,tiny:0.1:0.1" to capacity-scheduler properties under root. */
    static Map<String, String> queues(String spec) {
        Map<String, String> p = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (String item : spec.split(",")) {
            String[] f = item.trim().split(":");
            if (f.length < 2 || f.length > 3 || f[0].isEmpty()) {
                throw new IllegalArgumentException("bad queue spec item '" + item + "' in '" + spec + "'");
            }
            String prefix = "yarn.scheduler.capacity.root." + f[0];
            names.add(f[0]);
            p.put(prefix + ".capacity", f[1]);
            p.put(prefix + ".maximum-capacity", f.length == 3 ? f[2] : "100");
            p.put(prefix + ".state", "RUNNING");
            p.put(prefix + ".acl_submit_applications", "*");
            p.put(prefix + ".acl_administer_queue", "*");
        }
        p.put("yarn.scheduler.capacity.root.queues", String.join(",", names));
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
            return s.getLocalPort();
        }
    }

    private static void writeSite(File file, Map<String, String> props) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n");
        props.forEach((k, v) -> sb.append("  <property><name>").append(xml(k)).append("</name><value>")
                .append(xml(v)).append("</value></property>\n"));
        sb.append("</configuration>\n");
        File tmp = new File(file.getPath() + ".tmp");
        try (OutputStream out = new FileOutputStream(tmp)) {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
