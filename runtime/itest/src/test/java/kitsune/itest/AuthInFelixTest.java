package kitsune.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.inject.Inject;

import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
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

import kitsune.api.auth.Authenticator;
import kitsune.api.registry.ServerEndpoint;

/**
 * kitsune.auth in Felix with kyuubi.authentication=LDAP: its authenticators are services the frontend uses at each
 * login, and stopping and starting the bundle changes what new logins meet while the frontend keeps serving.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthInFelixTest {
    private static final Path WORK = ItestFramework.work("auth");

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() throws IOException {
        // LDAP without a URL: the authenticator answers, and refuses, naming the missing key
        return options(ItestFramework.server(WORK, List.of("kyuubi.authentication=LDAP"), List.of("kitsune.auth"))
                .toArray(new Option[0]));
    }

    @Test
    public void loginsMeetTheAuthenticatorOfTheBundleAsItComesAndGoes() throws Exception {
        ServerEndpoint endpoint = ItestFramework.await(context, ServerEndpoint.class);
        assertNotNull(ItestFramework.await(context, Authenticator.class));
        Set<String> types = new TreeSet<>();
        for (ServiceReference<Authenticator> ref : context.getServiceReferences(Authenticator.class, null)) {
            types.add(String.valueOf(ref.getProperty(Authenticator.AUTH_TYPE)));
        }
        assertEquals(Set.of("JDBC", "LDAP"), types);

        // the client reads only that its login failed; why (here: no LDAP URL, then no authenticator) is logged
        assertRefused(endpoint, "Authentication failed for user ivan");
        assertFalse("the reason is not the client's", refusal(endpoint).contains("kyuubi.authentication.ldap.url"));
        Bundle auth = findBundle("kitsune.auth");
        auth.stop();
        assertNull("no authenticator while the bundle is stopped", context.getServiceReference(Authenticator.class));
        assertRefused(endpoint, "Authentication failed for user ivan");
        auth.start();
        ItestFramework.await(context, Authenticator.class);
        assertRefused(endpoint, "Authentication failed for user ivan");
    }

    /** Logs in until the refusal gives this reason (services come and go asynchronously); at most 20 s. */
    private static void assertRefused(ServerEndpoint endpoint, String reason) throws Exception {
        ItestFramework.until("logins refused with '" + reason + "'", Duration.ofSeconds(20), () -> {
            try (TTransport t = ItestFramework.connect(endpoint, "ivan")) {
                fail("the login was accepted");
                return null;
            } catch (TTransportException e) {
                return String.valueOf(e.getMessage());
            }
        }, last -> last.contains(reason));
    }

    private static String refusal(ServerEndpoint endpoint) throws Exception {
        try (TTransport t = ItestFramework.connect(endpoint, "ivan")) {
            fail("the login was accepted");
            return null;
        } catch (TTransportException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private Bundle findBundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) return b;
        }
        throw new AssertionError("no bundle " + bsn);
    }
}
