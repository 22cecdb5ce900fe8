package kitsune.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSaslClientTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.junit.AfterClass;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import kitsune.api.registry.ServerEndpoint;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;

/**
 * kitsune.console in Felix: the Kitsune Web Console page is registered as a jakarta Servlet service with the Web
 * Console plugin properties, and the kitsune:* Gogo commands answer through Gogo's command processor (servers,
 * sessions, engines, close).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConsolePluginTest {
    private static final Path WORK = createWork();
    private static final String USER = "console-itest";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        Path conf = Files.createDirectories(WORK.resolve("conf"));
        Files.writeString(conf.resolve("kyuubi-defaults.conf"), String.join("\n",
                "kyuubi.zookeeper.embedded.client.port=" + freePort(),
                "kyuubi.frontend.thrift.binary.bind.host=127.0.0.1",
                "kyuubi.frontend.thrift.binary.bind.port=0",
                "kyuubi.frontend.rest.bind.port=0",
                "kitsune.engine.spark.homes=spark-4.0=engines/spark-4.0",
                "kyuubi.session.engine.idle.timeout=PT1M",
                "spark.master=local[1]",
                "spark.driver.memory=640m", ""));
        List<Option> opts = new ArrayList<>();
        opts.add(systemProperty("kitsune.home").value(System.getProperty("kitsune.home")));
        opts.add(systemProperty("kitsune.conf.dir").value(conf.toString()));
        opts.add(systemProperty("kitsune.work.dir").value(WORK.resolve("work").toString()));
        opts.add(systemProperty("kitsune.log.dir").value(WORK.resolve("logs").toString()));
        for (String jar : new String[] {"org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component",
                "org.apache.felix.scr", "org.apache.felix.configadmin", "asm-9", "asm-commons", "asm-tree",
                "asm-analysis", "asm-util", "org.apache.aries.spifly", "slf4j-api", "slf4j-simple", "failureaccess",
                "guava", "jsr305", "jackson-annotations", "jackson-core", "jackson-databind", "netty-common",
                "netty-buffer", "netty-resolver", "netty-transport-4", "netty-codec",
                "netty-transport-native-unix-common", "netty-transport-classes-epoll", "netty-handler",
                "curator-client", "curator-framework", "curator-recipes", "metrics-core", "snappy-java",
                "org.apache.felix.http.servlet-api", "org.apache.felix.gogo.runtime"}) {
            opts.add(bundle(prefetched(jar)));
        }
        for (String b : new String[] {"kitsune.api", "kitsune.thrift", "kitsune.zookeeper", "kitsune.config",
                "kitsune.ha", "kitsune.session", "kitsune.frontend.thrift", "kitsune.engine.spark",
                "kitsune.console"}) {
            opts.add(bundle(new File(System.getProperty("bundle." + b)).toURI().toString()));
        }
        opts.add(junitBundles());
        return options(opts.toArray(new Option[0]));
    }

    @AfterClass
    public static void killEngines() {
        String marker = WORK.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    public void theKitsunePageIsAWebConsolePluginServlet() throws Exception {
        ServiceReference<?> ref = awaitRef("(&(objectClass=jakarta.servlet.Servlet)(felix.webconsole.label=kitsune))");
        assertEquals("Kitsune", ref.getProperty("felix.webconsole.title"));
        assertEquals("Kitsune", ref.getProperty("felix.webconsole.category"));
        assertEquals("kitsune.console", ref.getBundle().getSymbolicName());
    }

    @Test
    public void gogoCommandsListServersAndSessionsAndCloseOne() throws Exception {
        ServiceReference<?> ref = awaitRef("(osgi.command.scope=kitsune)");
        assertEquals(List.of("close", "drain", "engines", "servers", "sessions"),
                Arrays.stream((String[]) ref.getProperty("osgi.command.function")).sorted().toList());

        ServerEndpoint endpoint = await(ServerEndpoint.class);
        String servers = "";
        for (int i = 0; i < 100 && !servers.contains(String.valueOf(endpoint.port())); i++) {
            servers = run("kitsune:servers");
            if (!servers.contains(String.valueOf(endpoint.port()))) Thread.sleep(100);
        }
        assertTrue(servers, servers.contains(endpoint.host()) && servers.contains(String.valueOf(endpoint.port())));
        assertTrue(servers, servers.contains("/kyuubi/serverUri=" + endpoint.hostPort() + ";version="));
        assertTrue(servers, servers.contains("1 row"));

        SessionManager sessions = await(SessionManager.class);
        String none = run("kitsune:sessions");
        assertTrue(none, none.contains("0 rows"));

        try (TTransport t = connect(endpoint)) {
            TOpenSessionResp open = new TCLIService.Client(new TBinaryProtocol(t)).OpenSession(openReq());
            assertEquals(open.getStatus().getErrorMessage(), TStatusCode.SUCCESS_STATUS,
                    open.getStatus().getStatusCode());
            SessionInfo info = sessions.sessions().get(0);

            String listed = run("kitsune:sessions");
            assertTrue(listed, listed.contains(info.id()) && listed.contains(USER) && listed.contains("1 row"));

            String engines = run("kitsune:engines");
            assertTrue(engines, engines.contains(USER) && engines.contains("USER") && engines.contains(info.engine()));
            assertTrue(engines, engines.contains("/kyuubi_"));

            String closed = run("kitsune:close " + info.id());
            assertTrue(closed, closed.startsWith("Closed session " + info.id()));
            assertEquals(0, sessions.openSessionCount());
            String again = run("kitsune:close " + info.id());
            assertTrue(again, again.startsWith("Error: No open session"));
        }
        assertFalse(run("kitsune:sessions").contains(USER));
    }

    /** Runs a command line through Gogo, as a shell user types it; returns what it printed. */
    private String run(String line) throws Exception {
        CommandProcessor processor = await(CommandProcessor.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), ps, ps)) {
            Object result = session.execute(line);
            if (result != null) ps.print(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
        }
        ps.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static TOpenSessionReq openReq() {
        TOpenSessionReq req = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        req.setUsername(USER);
        req.setPassword("x");
        req.setConfiguration(Map.of());
        return req;
    }

    private static TTransport connect(ServerEndpoint endpoint) throws Exception {
        TSocket socket = new TSocket(endpoint.host(), endpoint.port(), 300_000);
        TTransport t = new TSaslClientTransport("PLAIN", null, null, null, Map.of(),
                callbacks -> {
                    for (javax.security.auth.callback.Callback cb : callbacks) {
                        if (cb instanceof javax.security.auth.callback.NameCallback n) n.setName(USER);
                        if (cb instanceof javax.security.auth.callback.PasswordCallback p) p.setPassword("x".toCharArray());
                    }
                }, socket);
        t.open();
        return t;
    }

    private ServiceReference<?> awaitRef(String filter) throws Exception {
        Filter f = context.createFilter(filter);
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, f, null);
        tracker.open(true);
        try {
            assertNotNull("no service " + filter + " within 60 s", tracker.waitForService(TimeUnit.SECONDS.toMillis(60)));
            return tracker.getServiceReference();
        } finally {
            tracker.close();
        }
    }

    private <T> T await(Class<T> type) throws InterruptedException {
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

    private static String prefetched(String prefix) {
        File[] files = new File(System.getProperty("exam.prefetch")).listFiles((d, n) -> n.startsWith(prefix));
        if (files == null || files.length != 1) {
            throw new IllegalStateException("expected one prefetched jar starting with " + prefix);
        }
        return files[0].toURI().toString();
    }

    /** Shared through a system property: the probe's copy of this class is loaded again inside the framework. */
    private static Path createWork() {
        String existing = System.getProperty("kitsune.itest.console.work");
        if (existing != null) return Path.of(existing);
        try {
            Path dir = Files.createTempDirectory("kitsune-itest-console-");
            System.setProperty("kitsune.itest.console.work", dir.toString());
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
