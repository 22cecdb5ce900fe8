package kitsune.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
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
    private static final Path WORK = ItestFramework.work("console");
    private static final String USER = "console-itest";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        return options(ItestFramework.server(WORK, List.of("kyuubi.frontend.rest.bind.port=0"),
                List.of("org.apache.felix.http.servlet-api", "org.apache.felix.gogo.runtime", "kitsune.console"))
                .toArray(new Option[0]));
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

        ServerEndpoint endpoint = ItestFramework.await(context, ServerEndpoint.class);
        String servers = ItestFramework.until("this server in kitsune:servers", Duration.ofSeconds(10),
                () -> run("kitsune:servers"), out -> out.contains(String.valueOf(endpoint.port())));
        assertTrue(servers, servers.contains(endpoint.host()) && servers.contains(String.valueOf(endpoint.port())));
        assertTrue(servers, servers.contains("/kyuubi/serverUri=" + endpoint.hostPort() + ";version="));
        assertTrue(servers, servers.contains("1 row"));

        SessionManager sessions = ItestFramework.await(context, SessionManager.class);
        String none = run("kitsune:sessions");
        assertTrue(none, none.contains("0 rows"));

        try (TTransport t = ItestFramework.connect(endpoint, USER)) {
            // bound to its engine before OpenSession returns, so that the engine is there to list at once
            TOpenSessionReq req = ItestFramework.openReq(USER);
            req.putToConfiguration("set:hiveconf:kyuubi.session.engine.launch.async", "false");
            TOpenSessionResp open = new TCLIService.Client(new TBinaryProtocol(t)).OpenSession(req);
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
        CommandProcessor processor = ItestFramework.await(context, CommandProcessor.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), ps, ps)) {
            Object result = session.execute(line);
            if (result != null) ps.print(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
        }
        ps.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private ServiceReference<?> awaitRef(String filter) throws Exception {
        Filter f = context.createFilter(filter);
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, f, null);
        tracker.open(true);
        try {
            assertNotNull("no service " + filter + " within 60 s",
                    tracker.waitForService(TimeUnit.SECONDS.toMillis(60)));
            return tracker.getServiceReference();
        } finally {
            tracker.close();
        }
    }
}
