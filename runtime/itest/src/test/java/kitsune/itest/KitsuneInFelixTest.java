package kitsune.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSaslClientTransport;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import kitsune.api.engine.EngineProvider;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.ServerEndpoint;
import kitsune.api.registry.ServiceNode;
import kitsune.api.session.SessionManager;
import kitsune.thrift.CliBackend;

/**
 * Kitsune's bundles in Felix: components come up from a kyuubi-defaults.conf, the server registers in the embedded
 * ZooKeeper, and the engine provider can leave and come back while the frontend keeps serving.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KitsuneInFelixTest {
    private static final Path WORK = createWork();

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        killEnginesAtExit();
        Path conf = Files.createDirectories(WORK.resolve("conf"));
        Files.writeString(conf.resolve("kyuubi-defaults.conf"), String.join("\n",
                "kyuubi.zookeeper.embedded.client.port=" + freePort(),
                "kyuubi.frontend.thrift.binary.bind.host=127.0.0.1",
                "kyuubi.frontend.thrift.binary.bind.port=0",
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
                "curator-client", "curator-framework", "curator-recipes", "metrics-core", "snappy-java"}) {
            opts.add(bundle(prefetched(jar)));
        }
        for (String b : new String[] {"kitsune.api", "kitsune.thrift", "kitsune.zookeeper", "kitsune.config",
                "kitsune.ha", "kitsune.session", "kitsune.frontend.thrift", "kitsune.engine.spark"}) {
            opts.add(bundle(new File(System.getProperty("bundle." + b)).toURI().toString()));
        }
        opts.add(junitBundles());
        return options(opts.toArray(new Option[0]));
    }

    /**
     * Engines outlive the framework by design, so this JVM ends them when it exits. Not in @AfterClass: Pax Exam runs
     * the class callbacks around every single test method, which would kill an engine the next test still uses.
     */
    private static void killEnginesAtExit() {
        if (System.getProperty("kitsune.itest.reaper") != null) return;
        System.setProperty("kitsune.itest.reaper", "installed");
        String marker = WORK.toString();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly), "kitsune-itest-engine-reaper"));
    }

    @Test
    public void componentsComeUpAndTheServerRegistersInTheEmbeddedZooKeeper() throws Exception {
        assertNotNull("SessionManager", await(SessionManager.class));
        assertNotNull("CliBackend", await(CliBackend.class));
        assertNotNull("EngineProvider", await(EngineProvider.class));
        ServerEndpoint endpoint = await(ServerEndpoint.class);
        Discovery discovery = await(Discovery.class);
        List<ServiceNode> servers = List.of();
        for (int i = 0; i < 100 && servers.isEmpty(); i++) {
            servers = discovery.list("/kyuubi");
            if (servers.isEmpty()) Thread.sleep(100);
        }
        assertEquals(1, servers.size());
        assertEquals(endpoint.port(), servers.get(0).port());
        assertTrue(servers.get(0).name().startsWith("serverUri=" + endpoint.hostPort() + ";version="));
    }

    @Test
    public void withoutAnEngineProviderNewSessionsFailClearlyAndTheFrontendStaysUp() throws Exception {
        ServerEndpoint endpoint = await(ServerEndpoint.class);
        await(EngineProvider.class);
        Bundle provider = findBundle("kitsune.engine.spark");
        String location = provider.getLocation();
        provider.uninstall();

        for (int attempt = 0; attempt < 2; attempt++) { // twice: the frontend keeps serving after a refusal
            try (TTransport t = connect(endpoint)) {
                TOpenSessionResp resp = new TCLIService.Client(new TBinaryProtocol(t)).OpenSession(openReq());
                assertEquals(TStatusCode.ERROR_STATUS, resp.getStatus().getStatusCode());
                assertTrue(resp.getStatus().getErrorMessage(),
                        resp.getStatus().getErrorMessage().toLowerCase().contains("no engine provider for spark_sql"));
            }
        }

        context.installBundle(location).start();
        await(EngineProvider.class);
        try (TTransport t = connect(endpoint)) {
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(t));
            TOpenSessionResp open = client.OpenSession(openReq());
            assertEquals(open.getStatus().getErrorMessage(), TStatusCode.SUCCESS_STATUS,
                    open.getStatus().getStatusCode());
            TExecuteStatementReq exec = new TExecuteStatementReq(open.getSessionHandle(), "SELECT 41 + 1");
            exec.setRunAsync(false);
            TExecuteStatementResp er = client.ExecuteStatement(exec);
            assertEquals(er.getStatus().getErrorMessage(), TStatusCode.SUCCESS_STATUS, er.getStatus().getStatusCode());
            TFetchResultsResp fr = client.FetchResults(
                    new TFetchResultsReq(er.getOperationHandle(), TFetchOrientation.FETCH_NEXT, 10));
            assertEquals(42, fr.getResults().getColumns().get(0).getI32Val().getValues().get(0).intValue());
            client.CloseSession(new TCloseSessionReq(open.getSessionHandle()));
        }
    }

    @Test
    public void providerUpdatedAndRemovedUnderAnOpenSession() throws Exception {
        ServerEndpoint endpoint = await(ServerEndpoint.class);
        await(EngineProvider.class);
        try (TTransport t = connect(endpoint)) {
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(t));
            TOpenSessionResp open = client.OpenSession(openReq());
            assertEquals(open.getStatus().getErrorMessage(), TStatusCode.SUCCESS_STATUS,
                    open.getStatus().getStatusCode());
            assertEquals("1", firstValue(client, open, "SELECT '1'"));

            Bundle provider = findBundle("kitsune.engine.spark");
            String location = provider.getLocation();
            provider.update(); // re-read from its file: location, as the console's Update button does
            await(EngineProvider.class);
            assertEquals("open sessions keep working across an update", "2", firstValue(client, open, "SELECT '2'"));

            provider.uninstall();
            assertEquals("and while no provider is installed", "3", firstValue(client, open, "SELECT '3'"));
            context.installBundle(location).start();
            await(EngineProvider.class);
            client.CloseSession(new TCloseSessionReq(open.getSessionHandle()));
        }
    }

    /** Runs a statement that returns one string and returns it. */
    private static String firstValue(TCLIService.Client client, TOpenSessionResp open, String sql) throws Exception {
        TExecuteStatementReq exec = new TExecuteStatementReq(open.getSessionHandle(), sql);
        exec.setRunAsync(false);
        TExecuteStatementResp er = client.ExecuteStatement(exec);
        assertEquals(er.getStatus().getErrorMessage(), TStatusCode.SUCCESS_STATUS, er.getStatus().getStatusCode());
        TFetchResultsResp fr = client.FetchResults(
                new TFetchResultsReq(er.getOperationHandle(), TFetchOrientation.FETCH_NEXT, 10));
        return fr.getResults().getColumns().get(0).getStringVal().getValues().get(0);
    }

    private static TOpenSessionReq openReq() {
        TOpenSessionReq req = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
        req.setUsername("itest");
        req.setPassword("x");
        req.setConfiguration(Map.of());
        return req;
    }

    /** A SASL PLAIN connection as the Hive JDBC driver makes it (the JDK provides the PLAIN client). */
    private static TTransport connect(ServerEndpoint endpoint) throws Exception {
        TSocket socket = new TSocket(endpoint.host(), endpoint.port(), 300_000);
        TTransport t = new TSaslClientTransport("PLAIN", null, null, null, Map.of(),
                callbacks -> {
                    for (javax.security.auth.callback.Callback cb : callbacks) {
                        if (cb instanceof javax.security.auth.callback.NameCallback n) n.setName("itest");
                        if (cb instanceof javax.security.auth.callback.PasswordCallback p) p.setPassword("x".toCharArray());
                    }
                }, socket);
        t.open();
        return t;
    }

    private Bundle findBundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) return b;
        }
        throw new AssertionError("no bundle " + bsn);
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
        String existing = System.getProperty("kitsune.itest.work");
        if (existing != null) return Path.of(existing);
        try {
            Path dir = Files.createTempDirectory("kitsune-itest-");
            System.setProperty("kitsune.itest.work", dir.toString());
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
