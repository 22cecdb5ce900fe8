package kitsune.minidfs;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Runs a Kerberized Hadoop {@link MiniDFSCluster} (one NameNode, one DataNode) as a process of its own, every socket on
 * 127.0.0.1, its principals' keys from keytabs of the tests' KDC.
 *
 * <pre>
 * usage: MiniDfsMain &lt;confDir&gt; &lt;workDir&gt;
 *   confDir : the clients' core-site.xml and hdfs-site.xml are written here (HADOOP_CONF_DIR)
 * system properties:
 *   java.security.krb5.conf  the KDC's krb5.conf
 *   minidfs.principal        the NameNode's and DataNode's principal (e.g. hdfs/localhost@EXAMPLE.COM)
 *   minidfs.keytab           its keytab
 *   minidfs.http.principal   the web endpoints' principal (HTTP/localhost@EXAMPLE.COM)
 *   minidfs.http.keytab      its keytab
 *   minidfs.proxyuser        the short name allowed to impersonate anyone from anywhere (the gateway's)
 *   minidfs.users            users given a private home: /user/&lt;u&gt; owned by u, mode 0700, holding a file x of
 *                            three lines (comma-separated)
 *   minidfs.token.renew.ms   dfs.namenode.delegation.token.renew-interval (optional)
 *   minidfs.token.max.ms     dfs.namenode.delegation.token.max-lifetime (optional)
 * </pre>
 *
 * Prints one line {@code MINIDFS READY hdfs://127.0.0.1:<port>} on stdout once the cluster serves (logging goes to
 * stderr), then runs until stdin reaches EOF or the process gets SIGTERM, and stops the cluster.
 */
public final class MiniDfsMain {
    private MiniDfsMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(System.err);
        if (args.length != 2) {
            System.err.println("usage: MiniDfsMain <confDir> <workDir>");
            System.exit(2);
        }
        File confDir = new File(args[0]).getAbsoluteFile();
        File workDir = new File(args[1]).getAbsoluteFile();
        Files.createDirectories(confDir.toPath());
        String principal = required("minidfs.principal");
        String keytab = required("minidfs.keytab");
        String httpPrincipal = required("minidfs.http.principal");
        String httpKeytab = required("minidfs.http.keytab");
        String proxyUser = required("minidfs.proxyuser");

        Map<String, String> core = new LinkedHashMap<>();
        core.put("hadoop.security.authentication", "kerberos");
        core.put("hadoop.security.authorization", "false");
        core.put("hadoop.proxyuser." + proxyUser + ".hosts", "*");
        core.put("hadoop.proxyuser." + proxyUser + ".groups", "*");
        Map<String, String> hdfs = new LinkedHashMap<>();
        hdfs.put("dfs.namenode.kerberos.principal", principal);
        hdfs.put("dfs.namenode.keytab.file", keytab);
        hdfs.put("dfs.datanode.kerberos.principal", principal);
        hdfs.put("dfs.datanode.keytab.file", keytab);
        hdfs.put("dfs.web.authentication.kerberos.principal", httpPrincipal);
        hdfs.put("dfs.web.authentication.kerberos.keytab", httpKeytab);
        hdfs.put("dfs.block.access.token.enable", "true");
        hdfs.put("dfs.http.policy", "HTTP_ONLY");
        hdfs.put("dfs.webhdfs.enabled", "false");
        // a DataNode on unprivileged ports without SASL on data transfer: for tests only
        hdfs.put("ignore.secure.ports.for.testing", "true");
        hdfs.put("dfs.namenode.http-address", "127.0.0.1:0");
        hdfs.put("dfs.namenode.secondary.http-address", "127.0.0.1:0");
        hdfs.put("dfs.datanode.address", "127.0.0.1:0");
        hdfs.put("dfs.datanode.http.address", "127.0.0.1:0");
        hdfs.put("dfs.datanode.ipc.address", "127.0.0.1:0");
        hdfs.put("dfs.replication", "1");
        hdfs.put("dfs.permissions.enabled", "true");
        String renew = System.getProperty("minidfs.token.renew.ms");
        if (renew != null) hdfs.put("dfs.namenode.delegation.token.renew-interval", renew);
        String max = System.getProperty("minidfs.token.max.ms");
        if (max != null) hdfs.put("dfs.namenode.delegation.token.max-lifetime", max);

        Configuration conf = new Configuration();
        core.forEach(conf::set);
        hdfs.forEach(conf::set);
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(workDir, "dfs").getAbsolutePath());
        UserGroupInformation.setConfiguration(conf);
        // the cluster's own user (its superuser) is the principal's short name
        UserGroupInformation.loginUserFromKeytab(principal, keytab);

        long t0 = System.nanoTime();
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, new File(workDir, "dfs")).numDataNodes(1)
                .checkDataNodeAddrConfig(true).build();
        cluster.waitActive();
        String uri = "hdfs://127.0.0.1:" + cluster.getNameNodePort();

        FileSystem fs = cluster.getFileSystem();
        String users = System.getProperty("minidfs.users", "");
        for (String user : users.split(",")) {
            if (user.isBlank()) continue;
            Path home = new Path("/user/" + user.trim());
            fs.mkdirs(home);
            try (FSDataOutputStream out = fs.create(new Path(home, "x"))) {
                out.write(("one of " + user + "\ntwo\nthree\n").getBytes(StandardCharsets.UTF_8));
            }
            fs.setOwner(new Path(home, "x"), user.trim(), user.trim());
            fs.setPermission(new Path(home, "x"), new FsPermission((short) 0600));
            fs.setOwner(home, user.trim(), user.trim());
            fs.setPermission(home, new FsPermission((short) 0700));
        }

        Map<String, String> clientCore = new LinkedHashMap<>();
        clientCore.put("fs.defaultFS", uri);
        clientCore.put("hadoop.security.authentication", "kerberos");
        Map<String, String> clientHdfs = new LinkedHashMap<>();
        clientHdfs.put("dfs.namenode.kerberos.principal", principal);
        clientHdfs.put("ignore.secure.ports.for.testing", "true");
        writeSite(new File(confDir, "core-site.xml"), clientCore);
        writeSite(new File(confDir, "hdfs-site.xml"), clientHdfs);

        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (stopped.compareAndSet(false, true)) {
                System.err.println("MiniDfsMain: stopping cluster");
                try {
                    cluster.shutdown();
                } catch (RuntimeException e) {
                    e.printStackTrace();
                }
            }
            stop.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "minidfs-shutdown"));
        Thread stdinWatcher = new Thread(() -> {
            try (InputStream in = System.in) {
                byte[] buf = new byte[256];
                while (in.read(buf) >= 0) {
                    // discard
                }
            } catch (IOException ignored) {
                // treat as EOF
            }
            stop.countDown();
        }, "minidfs-stdin");
        stdinWatcher.setDaemon(true);
        stdinWatcher.start();
        System.err.printf("MiniDfsMain: started in %d ms at %s, conf written to %s%n",
                (System.nanoTime() - t0) / 1_000_000, uri, confDir);
        stdout.println("MINIDFS READY " + uri);
        stdout.flush();
        stop.await();
        shutdown.run();
        System.exit(0);
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            System.err.println("MiniDfsMain: -D" + property + " is required");
            System.exit(2);
        }
        return v;
    }

    private static void writeSite(File file, Map<String, String> props) throws IOException {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n");
        props.forEach((k, v) -> sb.append("  <property><name>").append(xml(k)).append("</name><value>")
                .append(xml(v)).append("</value></property>\n"));
        sb.append("</configuration>\n");
        File tmp = new File(file.getPath() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp.toPath())) {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
