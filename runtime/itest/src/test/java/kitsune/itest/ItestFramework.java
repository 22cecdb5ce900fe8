package kitsune.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;

import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.thrift.transport.TSaslClientTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

import kitsune.api.registry.ServerEndpoint;

/**
 * What the in-framework tests share: a work directory with a kyuubi-defaults.conf, the bundles Kitsune runs on,
 * and a SASL PLAIN connection to the frontend as the Hive JDBC driver makes it.
 */
final class ItestFramework {
    /** Third-party bundles every Kitsune server needs, prefetched by the build (name prefixes). */
    private static final List<String> RUNTIME = List.of("org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component", "org.apache.felix.scr", "org.apache.felix.configadmin", "asm-9",
            "asm-commons", "asm-tree", "asm-analysis", "asm-util", "org.apache.aries.spifly", "slf4j-api",
            "slf4j-simple", "failureaccess", "guava", "jsr305", "jackson-annotations", "jackson-core",
            "jackson-databind", "netty-common", "netty-buffer", "netty-resolver", "netty-transport-4", "netty-codec",
            "netty-transport-native-unix-common", "netty-transport-classes-epoll", "netty-handler", "curator-client",
            "curator-framework", "curator-recipes", "metrics-core", "snappy-java", "org.apache.felix.log");
    /** Kitsune's bundles of a server, built by the reactor. */
    private static final List<String> KITSUNE = List.of("kitsune.api", "kitsune.thrift", "kitsune.zookeeper",
            "kitsune.config", "kitsune.ha", "kitsune.session", "kitsune.frontend.thrift", "kitsune.engine.spark",
            "kitsune.runtime");

    private ItestFramework() {
    }

    /**
     * The test class's work directory, shared through a system property: Pax Exam loads the test class again inside
     * the framework, and both copies must agree.
     */
    static Path work(String name) {
        String key = "kitsune.itest.work." + name;
        String existing = System.getProperty(key);
        if (existing != null) return Path.of(existing);
        try {
            Path dir = Files.createTempDirectory("kitsune-itest-" + name + "-");
            System.setProperty(key, dir.toString());
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the conf file and returns the options of a server with these extra conf lines and extra bundles
     * (prefetched name prefixes, or reactor bundle names starting with "kitsune.").
     */
    static List<Option> server(Path work, List<String> confLines, List<String> extraBundles) throws IOException {
        reapEnginesAtExit(work);
        Path conf = Files.createDirectories(work.resolve("conf"));
        List<String> lines = new ArrayList<>(List.of(
                "kyuubi.zookeeper.embedded.client.port=" + freePort(),
                "kyuubi.frontend.thrift.binary.bind.host=127.0.0.1",
                "kyuubi.frontend.thrift.binary.bind.port=0",
                "kitsune.engine.spark.homes=spark-4.0=engines/spark-4.0",
                "kyuubi.session.engine.idle.timeout=PT1M",
                "spark.master=local[1]",
                "spark.driver.memory=640m"));
        lines.addAll(confLines);
        Files.writeString(conf.resolve("kyuubi-defaults.conf"), String.join("\n", lines) + "\n");
        List<Option> opts = new ArrayList<>();
        opts.add(systemProperty("kitsune.home").value(System.getProperty("kitsune.home")));
        opts.add(systemProperty("kitsune.conf.dir").value(conf.toString()));
        opts.add(systemProperty("kitsune.work.dir").value(work.resolve("work").toString()));
        opts.add(systemProperty("kitsune.log.dir").value(work.resolve("logs").toString()));
        List<String> kitsune = new ArrayList<>(KITSUNE);
        for (String jar : RUNTIME) opts.add(bundle(prefetched(jar)));
        for (String extra : extraBundles) {
            if (extra.startsWith("kitsune.")) kitsune.add(extra);
            else opts.add(bundle(prefetched(extra)));
        }
        for (String b : kitsune) opts.add(bundle(new File(System.getProperty("bundle." + b)).toURI().toString()));
        opts.add(junitBundles());
        return opts;
    }

    /**
     * Engines outlive the framework by design, so this JVM ends them when it exits. Not in @AfterClass: Pax Exam runs
     * the class callbacks around every single test method, which would kill an engine the next test still uses.
     */
    private static void reapEnginesAtExit(Path work) {
        String key = "kitsune.itest.reaper." + work;
        if (System.getProperty(key) != null) return;
        System.setProperty(key, "installed");
        String marker = work.toString();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly), "kitsune-itest-engine-reaper"));
    }

    static TOpenSessionReq openReq(String user) {
        TOpenSessionReq req = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        req.setUsername(user);
        req.setPassword("x");
        req.setConfiguration(new java.util.HashMap<>());
        return req;
    }

    /** A SASL PLAIN connection as the Hive JDBC driver makes it (the JDK provides the PLAIN client). */
    static TTransport connect(ServerEndpoint endpoint, String user) throws Exception {
        TSocket socket = new TSocket(endpoint.host(), endpoint.port(), 300_000);
        TTransport t = new TSaslClientTransport("PLAIN", null, null, null, Map.of(), callbacks -> {
            for (Callback cb : callbacks) {
                if (cb instanceof NameCallback n) n.setName(user);
                if (cb instanceof PasswordCallback p) p.setPassword("x".toCharArray());
            }
        }, socket);
        t.open();
        return t;
    }

    static <T> T await(BundleContext context, Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(TimeUnit.SECONDS.toMillis(60));
            if (service == null) throw new AssertionError("no " + type.getName() + " service within 60 s");
            return service;
        } finally {
            tracker.close();
        }
    }

    /**
     * The one way these tests wait for something that happens asynchronously: asks {@code probe} every 100 ms until
     * {@code done} accepts its answer (returned), or fails after {@code timeout} naming what was awaited and the last
     * answer. (Awaitility is not provisioned in the framework.)
     */
    static <T> T until(String what, Duration timeout, Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = probe.call();
        while (!done.test(last)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + timeout + "; last seen: " + last);
            }
            TimeUnit.MILLISECONDS.sleep(100);
            last = probe.call();
        }
        return last;
    }

    private static String prefetched(String prefix) {
        File[] files = new File(System.getProperty("exam.prefetch")).listFiles((d, n) -> n.startsWith(prefix));
        if (files == null || files.length != 1) {
            throw new IllegalStateException("expected one prefetched jar starting with " + prefix);
        }
        return files[0].toURI().toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
