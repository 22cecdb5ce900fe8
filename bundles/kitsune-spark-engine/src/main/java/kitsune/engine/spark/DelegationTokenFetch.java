package kitsune.engine.spark;

import java.io.DataOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.SecurityUtil;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.token.Token;
import org.apache.hadoop.security.token.TokenRenewer;

/**
 * Obtains one user's delegation tokens for the server and writes them in Hadoop's token-storage format, as a
 * short-lived JVM on an engine home's jars (the server's OSGi framework holds no Hadoop):
 * {@code java -cp kitsune-spark-engine.jar:<HADOOP_CONF_DIR>:<home>/jars/* kitsune.engine.spark.DelegationTokenFetch
 * <out file> <user> <principal> <keytab> <hadoopfs: true|false> <further fs URIs, comma-separated or -> <hive: true|false>
 * <hive.metastore.uris or ->}.
 *
 * <p>It logs in from the server's keytab, impersonates the user (a proxy user of the server's principal, which the
 * cluster must allow) and asks the default file system, each further one, and the Hive metastore when named, for
 * tokens the server's principal may renew. The file is written next to its final name, created owner-only (0600), and
 * moved over it in one step, so that a reader never sees half of it. Prints one line on stdout:
 * {@code KITSUNE-TOKENS <count> <earliest expiry, epoch ms, or -1> <services>}, or {@code KITSUNE-TOKENS-OFF} when the
 * Hadoop configuration is not Kerberized (exit 3). A failure ends with exit 1 and one line
 * {@code KITSUNE-TOKENS-FAILED <cause>} on stdout (its stack trace on stderr).
 */
public final class DelegationTokenFetch {
    static final String OK = "KITSUNE-TOKENS ";
    static final String OFF = "KITSUNE-TOKENS-OFF";
    static final String FAILED = "KITSUNE-TOKENS-FAILED ";
    /** Spark's alias of a metastore token (HiveDelegationTokenProvider), which Spark's Hive client selects. */
    static final String HIVE_TOKEN_ALIAS = "hive.server2.delegation.token";

    private DelegationTokenFetch() {
    }

    public static void main(String[] args) {
        if (args.length != 8) {
            System.out.println(FAILED + "usage: DelegationTokenFetch <out> <user> <principal> <keytab> <hadoopfs> "
                    + "<uris|-> <hive> <metastore uris|->");
            System.exit(2);
        }
        try {
            System.exit(run(args));
        } catch (Throwable e) {
            e.printStackTrace();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String line = (e == root ? "" : e + "; caused by ") + root;
            System.out.println(FAILED + line.replaceAll("[\\r\\n]+", " "));
            System.exit(1);
        }
    }

    private static int run(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String user = args[1];
        String keytab = args[3];
        boolean hadoopFs = Boolean.parseBoolean(args[4]);
        List<String> uris = "-".equals(args[5]) ? List.of() : List.of(args[5].split(","));
        boolean hive = Boolean.parseBoolean(args[6]);
        String metastoreUris = "-".equals(args[7]) ? "" : args[7];

        Configuration conf = new Configuration();
        UserGroupInformation.setConfiguration(conf);
        if (!UserGroupInformation.isSecurityEnabled()) {
            System.out.println(OFF);
            return 3;
        }
        String principal = SecurityUtil.getServerPrincipal(args[2], (String) null);
        UserGroupInformation server = UserGroupInformation.loginUserFromKeytabAndReturnUGI(principal, keytab);
        UserGroupInformation proxy = UserGroupInformation.createProxyUser(user, server);
        String renewer = server.getShortUserName();
        Credentials creds = new Credentials();
        if (hadoopFs) {
            proxy.doAs((PrivilegedExceptionAction<Void>) () -> {
                FileSystem.get(conf).addDelegationTokens(renewer, creds);
                for (String uri : uris) {
                    if (!uri.isBlank()) FileSystem.get(URI.create(uri.trim()), conf).addDelegationTokens(renewer, creds);
                }
                return null;
            });
        }
        if (metastoreUris.isEmpty()) metastoreUris = conf.get("hive.metastore.uris", "");
        if (hive && !metastoreUris.isBlank()) {
            String uris0 = metastoreUris;
            server.doAs((PrivilegedExceptionAction<Void>) () -> {
                creds.addToken(new Text(HIVE_TOKEN_ALIAS), metastoreToken(conf, uris0, user, principal));
                return null;
            });
        }
        // as the server's principal, the renewer: a renewal says until when each token is good
        long expiry = server.doAs((PrivilegedExceptionAction<Long>) () -> earliestExpiry(creds, conf));
        write(creds, out);
        List<String> services = new ArrayList<>();
        for (Token<?> t : creds.getAllTokens()) services.add(t.getKind() + "@" + t.getService());
        System.out.println(OK + creds.numberOfTokens() + " " + expiry + " " + String.join(",", services));
        return 0;
    }

    /** The earliest time a token stops working unless renewed; -1 when no token says. */
    private static long earliestExpiry(Credentials creds, Configuration conf) {
        long earliest = -1;
        for (Token<?> t : creds.getAllTokens()) {
            try {
                long until = renew(t, conf);
                if (until > 0 && (earliest < 0 || until < earliest)) earliest = until;
            } catch (Exception | LinkageError e) {
                System.err.println("Cannot renew " + t.getKind() + " for " + t.getService() + " to learn its expiry "
                        + "(renewals then follow kyuubi.credentials.renewal.interval):");
                e.printStackTrace();
            }
        }
        return earliest;
    }

    /**
     * Renews a token through the renewer of its kind. Not {@code Token.renew}: that walks every {@link TokenRenewer}
     * on the class path and gives up at the first that cannot be loaded (a home's shaded Hadoop client names renewers
     * whose classes need libraries the home lacks, such as Bouncy Castle for the KMS renewer); this skips those.
     */
    private static long renew(Token<?> token, Configuration conf) throws Exception {
        Iterator<TokenRenewer> renewers = ServiceLoader.load(TokenRenewer.class).iterator();
        while (true) {
            TokenRenewer renewer;
            try {
                if (!renewers.hasNext()) break;
                renewer = renewers.next();
            } catch (ServiceConfigurationError | LinkageError unusable) {
                continue;
            }
            boolean handles;
            try {
                handles = renewer.handleKind(token.getKind());
            } catch (LinkageError unusable) {
                // e.g. KMSClientProvider's renewer, which loads Bouncy Castle to answer
                continue;
            }
            if (handles) return renewer.renew(token, conf);
        }
        return -1;
    }

    /**
     * A metastore token for the user, renewable by the server's principal, through the home's own Hive client (Spark's
     * built-in Hive 2.3): {@code new HiveMetaStoreClient(new HiveConf(conf, HiveConf.class)).getDelegationToken(user,
     * principal)}, by reflection since a home may lack Hive.
     */
    private static Token<?> metastoreToken(Configuration conf, String metastoreUris, String user, String principal)
            throws Exception {
        Class<?> hiveConfClass = Class.forName("org.apache.hadoop.hive.conf.HiveConf");
        Object hiveConf = hiveConfClass.getConstructor(Configuration.class, Class.class).newInstance(conf, hiveConfClass);
        hiveConfClass.getMethod("set", String.class, String.class).invoke(hiveConf, "hive.metastore.uris", metastoreUris);
        Class<?> clientClass = Class.forName("org.apache.hadoop.hive.metastore.HiveMetaStoreClient");
        Object client = clientClass.getConstructor(hiveConfClass).newInstance(hiveConf);
        try {
            String encoded = (String) clientClass.getMethod("getDelegationToken", String.class, String.class)
                    .invoke(client, user, principal);
            Token<?> token = new Token<>();
            token.decodeFromUrlString(encoded);
            return token;
        } finally {
            clientClass.getMethod("close").invoke(client);
        }
    }

    /** Written to a new owner-only file beside {@code out}, then moved over it atomically. */
    static void write(Credentials creds, Path out) throws Exception {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream os = Files.newOutputStream(tmp); DataOutputStream data = new DataOutputStream(os)) {
            creds.writeTokenStorageToStream(data);
        }
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
