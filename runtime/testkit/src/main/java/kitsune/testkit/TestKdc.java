package kitsune.testkit;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;

import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;

/**
 * A real KDC for tests (Apache Kerby's SimpleKdcServer in the test JVM, TCP on a free port of 127.0.0.1, realm
 * EXAMPLE.COM) with its krb5.conf, principals and their keytabs in one directory. close() stops it.
 */
public final class TestKdc implements AutoCloseable {
    public static final String REALM = "EXAMPLE.COM";

    private final Path dir;
    private final SimpleKdcServer kdc;

    private TestKdc(Path dir, SimpleKdcServer kdc) {
        this.dir = dir;
        this.kdc = kdc;
    }

    /** Starts a KDC working in {@code dir} and points this JVM's Kerberos at its krb5.conf. */
    public static TestKdc start(Path dir) throws Exception {
        return start(dir, null);
    }

    /**
     * As {@link #start(Path)}, with tickets that live at most {@code ticketLifetime} (null: the KDC's default), for
     * tests of expired tickets.
     */
    public static TestKdc start(Path dir, java.time.Duration ticketLifetime) throws Exception {
        Files.createDirectories(dir);
        SimpleKdcServer kdc = new SimpleKdcServer();
        if (ticketLifetime != null) {
            kdc.getKdcConfig().setLong(org.apache.kerby.kerberos.kerb.server.KdcConfigKey.MINIMUM_TICKET_LIFETIME, 1L);
            kdc.getKdcConfig().setLong(org.apache.kerby.kerberos.kerb.server.KdcConfigKey.MAXIMUM_TICKET_LIFETIME,
                    ticketLifetime.toSeconds());
        }
        kdc.setWorkDir(dir.toFile());
        kdc.setKdcRealm(REALM);
        kdc.setKdcHost("127.0.0.1");
        kdc.setAllowUdp(false);
        kdc.setAllowTcp(true);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            kdc.setKdcTcpPort(s.getLocalPort());
        }
        kdc.init();
        kdc.start();
        TestKdc t = new TestKdc(dir, kdc);
        System.setProperty("java.security.krb5.conf", t.krb5Conf().toString());
        return t;
    }

    /** The krb5.conf naming this KDC, for -Djava.security.krb5.conf of other JVMs. */
    public Path krb5Conf() {
        return dir.resolve("krb5.conf");
    }

    /** name@EXAMPLE.COM. */
    public static String principal(String name) {
        return name + "@" + REALM;
    }

    /** Creates the principal (name without realm, e.g. zookeeper/localhost) and exports its keys to a new keytab. */
    public Path keytab(String name) throws Exception {
        kdc.createPrincipal(name);
        Path keytab = dir.resolve(name.replace('/', '_') + ".keytab");
        kdc.exportPrincipal(name, keytab.toFile());
        return keytab;
    }

    /** A client's login from its keytab, as kinit -kt would give it. */
    public static Subject login(String principal, Path keytab) throws Exception {
        Map<String, String> options = Map.of("useKeyTab", "true", "keyTab", keytab.toAbsolutePath().toString(),
                "principal", principal, "storeKey", "false", "doNotPrompt", "true", "isInitiator", "true",
                "refreshKrb5Config", "true");
        Subject subject = new Subject();
        new LoginContext("client", subject, null, new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(
                        "com.sun.security.auth.module.Krb5LoginModule",
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
            }
        }).login();
        return subject;
    }

    /** Runs {@code action} as {@code subject} (e.g. a JDBC connect with kerberosAuthType=fromSubject). */
    @SuppressWarnings("removal")
    public static <T> T as(Subject subject, PrivilegedExceptionAction<T> action) throws Exception {
        try {
            return Subject.doAs(subject, action);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }

    /**
     * A SPNEGO token (base64, for {@code Authorization: Negotiate <token>}) of {@code client} for the service
     * principal (e.g. HTTP/localhost@EXAMPLE.COM), as curl --negotiate or a browser sends it: the JDK's GSS-API with
     * the SPNEGO mechanism, no mutual authentication (one request, one token).
     */
    @SuppressWarnings("removal")
    public static String spnegoToken(Subject client, String service) throws Exception {
        return as(client, () -> {
            org.ietf.jgss.GSSManager manager = org.ietf.jgss.GSSManager.getInstance();
            org.ietf.jgss.GSSContext context = manager.createContext(manager.createName(service,
                    new org.ietf.jgss.Oid("1.2.840.113554.1.2.2.1")), new org.ietf.jgss.Oid("1.3.6.1.5.5.2"), null,
                    org.ietf.jgss.GSSContext.DEFAULT_LIFETIME);
            try {
                context.requestMutualAuth(false);
                return java.util.Base64.getEncoder().encodeToString(context.initSecContext(new byte[0], 0, 0));
            } finally {
                context.dispose();
            }
        });
    }

    /** A JAAS file with one section logging in from a keytab (for a ZooKeeper server's "Server" section). */
    public Path jaasFile(String section, String principal, Path keytab) throws Exception {
        Path f = dir.resolve(section.toLowerCase(java.util.Locale.ROOT) + "-jaas.conf");
        Files.writeString(f, section + " {\n  com.sun.security.auth.module.Krb5LoginModule required\n"
                + "  useKeyTab=true\n  keyTab=\"" + keytab.toAbsolutePath() + "\"\n  storeKey=true\n"
                + "  useTicketCache=false\n  principal=\"" + principal + "\";\n};\n");
        return f;
    }

    @Override
    public void close() throws Exception {
        kdc.stop();
    }
}
