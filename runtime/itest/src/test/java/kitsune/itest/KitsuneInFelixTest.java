package kitsune.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import javax.inject.Inject;

import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TCloseSessionReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementReq;
import org.apache.hive.service.rpc.thrift.TExecuteStatementResp;
import org.apache.hive.service.rpc.thrift.TFetchOrientation;
import org.apache.hive.service.rpc.thrift.TFetchResultsReq;
import org.apache.hive.service.rpc.thrift.TFetchResultsResp;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.apache.thrift.protocol.TBinaryProtocol;
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
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import kitsune.api.conf.ConfigKeys;
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
    private static final String USER = "itest";
    private static final Path WORK = ItestFramework.work("felix");

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        return options(ItestFramework.server(WORK, List.of(), List.of()).toArray(new Option[0]));
    }

    @Test
    public void componentsComeUpAndTheServerRegistersInTheEmbeddedZooKeeper() throws Exception {
        assertNotNull("SessionManager", ItestFramework.await(context, SessionManager.class));
        assertNotNull("CliBackend", ItestFramework.await(context, CliBackend.class));
        assertNotNull("EngineProvider", ItestFramework.await(context, EngineProvider.class));
        ServerEndpoint endpoint = ItestFramework.await(context, ServerEndpoint.class);
        Discovery discovery = ItestFramework.await(context, Discovery.class);
        List<ServiceNode> servers = ItestFramework.until("this server registered under /kyuubi",
                Duration.ofSeconds(10), () -> discovery.list("/kyuubi"), l -> !l.isEmpty());
        assertEquals(1, servers.size());
        assertEquals(endpoint.port(), servers.get(0).port());
        assertTrue(servers.get(0).name().startsWith("serverUri=" + endpoint.hostPort() + ";version="));
    }

    @Test
    public void withoutAnEngineProviderNewSessionsFailClearlyAndTheFrontendStaysUp() throws Exception {
        ServerEndpoint endpoint = ItestFramework.await(context, ServerEndpoint.class);
        ItestFramework.await(context, EngineProvider.class);
        Bundle provider = findBundle("kitsune.engine.spark");
        String location = provider.getLocation();
        provider.uninstall();

        for (int attempt = 0; attempt < 2; attempt++) { // twice: the frontend keeps serving after a refusal
            try (TTransport t = ItestFramework.connect(endpoint, USER)) {
                TOpenSessionResp resp = new TCLIService.Client(new TBinaryProtocol(t))
                        .OpenSession(ItestFramework.openReq(USER));
                assertEquals(TStatusCode.ERROR_STATUS, resp.getStatus().getStatusCode());
                assertTrue(resp.getStatus().getErrorMessage(),
                        resp.getStatus().getErrorMessage().toLowerCase().contains("no engine provider for spark_sql"));
            }
        }

        context.installBundle(location).start();
        ItestFramework.await(context, EngineProvider.class);
        try (TTransport t = ItestFramework.connect(endpoint, USER)) {
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(t));
            TOpenSessionResp open = client.OpenSession(ItestFramework.openReq(USER));
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
        ServerEndpoint endpoint = ItestFramework.await(context, ServerEndpoint.class);
        ItestFramework.await(context, EngineProvider.class);
        try (TTransport t = ItestFramework.connect(endpoint, USER)) {
            TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(t));
            TOpenSessionResp open = client.OpenSession(ItestFramework.openReq(USER));
            assertEquals(open.getStatus().getErrorMessage(), TStatusCode.SUCCESS_STATUS,
                    open.getStatus().getStatusCode());
            assertEquals("1", firstValue(client, open, "SELECT '1'"));

            Bundle provider = findBundle("kitsune.engine.spark");
            String location = provider.getLocation();
            provider.update(); // re-read from its file: location, as the console's Update button does
            ItestFramework.await(context, EngineProvider.class);
            assertEquals("open sessions keep working across an update", "2", firstValue(client, open, "SELECT '2'"));

            provider.uninstall();
            assertEquals("and while no provider is installed", "3", firstValue(client, open, "SELECT '3'"));
            context.installBundle(location).start();
            ItestFramework.await(context, EngineProvider.class);
            client.CloseSession(new TCloseSessionReq(open.getSessionHandle()));
        }
    }

    @Test
    public void aConfigurationFileChangeReachesTheProviderForTheNextEngine() throws Exception {
        ServerEndpoint endpoint = ItestFramework.await(context, ServerEndpoint.class);
        ItestFramework.await(context, EngineProvider.class);
        Path confFile = WORK.resolve("conf/kyuubi-defaults.conf");
        String original = Files.readString(confFile);
        try {
            // the operator adds the Spark 3.5 home and makes it the default: no restart
            Files.writeString(confFile, original + "kitsune.engine.spark.homes=spark-4.0=engines/spark-4.0,"
                    + "spark-3.5=engines/spark-3.5\nkitsune.engine.spark.home=spark-3.5\n");
            awaitServerConf("kitsune.engine.spark.home", "spark-3.5");
            try (TTransport t = ItestFramework.connect(endpoint, "itest-conf")) {
                TCLIService.Client client = new TCLIService.Client(new TBinaryProtocol(t));
                TOpenSessionResp open = client.OpenSession(ItestFramework.openReq("itest-conf"));
                assertEquals(open.getStatus().getErrorMessage(), TStatusCode.SUCCESS_STATUS,
                        open.getStatus().getStatusCode());
                String version = firstValue(client, open, "SELECT version()");
                assertTrue("the new engine runs on the new default home: " + version, version.startsWith("3.5."));
                client.CloseSession(new TCloseSessionReq(open.getSessionHandle()));
            }
        } finally {
            Files.writeString(confFile, original);
            awaitServerConf("kitsune.engine.spark.home", null);
        }
    }

    /** Waits until the configuration the components get (PID kitsune.server) has this value (null: is unset). */
    /**
     * Waits until ConfigurationAdmin holds the value and every component configured from the server's PID (the
     * session manager, the engine provider, ...) has been given it: ConfigurationAdmin answers as soon as the file is
     * read, the components get the update a moment later on the CM thread.
     */
    private void awaitServerConf(String key, String value) throws Exception {
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin admin = context.getService(ref);
        ServiceReference<ServiceComponentRuntime> scrRef = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime scr = context.getService(scrRef);
        ItestFramework.until(key + "=" + value + " in ConfigurationAdmin and in every component",
                Duration.ofSeconds(15), () -> {
                    org.osgi.service.cm.Configuration conf = admin.getConfiguration(ConfigKeys.PID, null);
                    Object seen = conf.getProperties() == null ? null : conf.getProperties().get(key);
                    return Objects.equals(seen, value) && componentsSee(scr, key, value) ? "given"
                            : key + " is " + seen + " in ConfigurationAdmin (or not yet in every component)";
                }, "given"::equals);
    }

    private static boolean componentsSee(ServiceComponentRuntime scr, String key, String value) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.configurationPid == null || !java.util.Arrays.asList(d.configurationPid).contains(ConfigKeys.PID)) {
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (!Objects.equals(c.properties.get(key), value)) return false;
            }
        }
        return true;
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

    private Bundle findBundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) return b;
        }
        throw new AssertionError("no bundle " + bsn);
    }
}
