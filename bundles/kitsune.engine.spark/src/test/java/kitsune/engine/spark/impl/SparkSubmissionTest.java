package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkSubmit;
import org.apache.spark.deploy.SparkSubmitArguments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineConf;
import kitsune.api.engine.ShareLevel;
import kitsune.api.registry.EngineSpace;
import scala.Option;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The submission Kitsune generates, handed to Spark's own spark-submit argument handling (SparkSubmitArguments and
 * SparkSubmit.prepareSubmitEnvironment, the code spark-submit runs before it contacts any cluster): what Spark would
 * send to Kubernetes or a standalone master is checked without a cluster.
 */
class SparkSubmissionTest {
    @TempDir
    Path dir;

    @Test
    void aKubernetesClusterSubmissionBecomesSparksKubernetesDriverWithNamespaceImageAccountAndUser() throws Exception {
        Properties engine = new Properties();
        engine.setProperty("spark.kubernetes.namespace", "analytics");
        engine.setProperty("spark.kubernetes.container.image", "registry.example.com/kitsune-spark:4.0.1");
        engine.setProperty("spark.kubernetes.authenticate.driver.serviceAccountName", "kitsune-engine");
        engine.setProperty("spark.app.name", "kyuubi_USER_SPARK_SQL_alice_default_r1");
        engine.setProperty(EngineConf.ZK_ADDRESSES, "zk-0.zk:2181,zk-1.zk:2181");
        engine.setProperty(EngineConf.ENGINE_SPACE, "/kyuubi_1-spark-4.0_USER_SPARK_SQL/alice/default");
        engine.setProperty(EngineConf.REF_ID, "r1");
        engine.setProperty("kyuubi.engine.security.secret.provider.simple.secret", "s3cret");
        SparkSubmission submission = new SparkSubmission("k8s://https://kube.example.com:6443", "cluster",
                "kyuubi_USER_SPARK_SQL_alice_default_r1", write(engine), List.of(), "alice",
                "local:///opt/kitsune/lib/kitsune-spark-engine.jar");

        SparkSubmitArguments args = parse(submission.arguments());
        assertEquals("alice", args.proxyUser(), "submitted for the session user");
        Tuple4<?, ?, SparkConf, String> prepared = new SparkSubmit().prepareSubmitEnvironment(args, Option.empty());
        assertEquals("org.apache.spark.deploy.k8s.submit.KubernetesClientApplication", prepared._4());
        List<String> childArgs = CollectionConverters.asJava((scala.collection.Seq<String>) prepared._1());
        assertEquals("kitsune.engine.spark.SparkEngineMain", after(childArgs, "--main-class"));
        assertEquals("local:///opt/kitsune/lib/kitsune-spark-engine.jar", after(childArgs, "--primary-java-resource"));
        SparkConf conf = prepared._3();
        assertEquals("k8s://https://kube.example.com:6443", conf.get("spark.master"));
        assertEquals("cluster", conf.get("spark.submit.deployMode"));
        assertEquals("analytics", conf.get("spark.kubernetes.namespace"));
        assertEquals("registry.example.com/kitsune-spark:4.0.1", conf.get("spark.kubernetes.container.image"));
        assertEquals("kitsune-engine", conf.get("spark.kubernetes.authenticate.driver.serviceAccountName"));
        // the engine's own settings travel in the Spark configuration, where the driver pod reads them back
        assertEquals("zk-0.zk:2181,zk-1.zk:2181", conf.get(EngineConf.SUBMITTED_SETTING_PREFIX + EngineConf.ZK_ADDRESSES));
        assertEquals("r1", conf.get(EngineConf.SUBMITTED_SETTING_PREFIX + EngineConf.REF_ID));
        assertFalse(String.join(" ", submission.arguments()).contains("s3cret"),
                "the secret is in the owner-only properties file, never on a command line");
    }

    @Test
    void aStandaloneClusterSubmissionGoesThroughTheMastersDriverClient() throws Exception {
        SparkSubmission submission = new SparkSubmission("spark://127.0.0.1:7077", "cluster", "app",
                write(new Properties()), List.of("/opt/udf/udf.jar"), null, "/opt/kitsune/lib/kitsune-spark-engine.jar");
        SparkSubmitArguments args = parse(submission.arguments());
        assertNull(args.proxyUser());
        Tuple4<?, ?, SparkConf, String> prepared = new SparkSubmit().prepareSubmitEnvironment(args, Option.empty());
        assertEquals("org.apache.spark.deploy.ClientApp", prepared._4());
        List<String> childArgs = CollectionConverters.asJava((scala.collection.Seq<String>) prepared._1());
        assertEquals(List.of("launch", "spark://127.0.0.1:7077", "file:/opt/kitsune/lib/kitsune-spark-engine.jar",
                "kitsune.engine.spark.SparkEngineMain"), childArgs.subList(0, 4));
        assertTrue(prepared._3().get("spark.jars").contains("/opt/udf/udf.jar"), "extra jars reach the executors");
    }

    @Test
    void aClientSubmissionRunsTheEngineMainInTheSubmittingJvm() throws Exception {
        SparkSubmission submission = new SparkSubmission("spark://127.0.0.1:7077", "client", "app",
                write(new Properties()), List.of(), "bob", "/opt/kitsune/lib/kitsune-spark-engine.jar");
        Tuple4<?, ?, SparkConf, String> prepared = new SparkSubmit()
                .prepareSubmitEnvironment(parse(submission.arguments()), Option.empty());
        assertEquals(EngineCommand.MAIN_CLASS, prepared._4());
    }

    @Test
    void aJarHomeRunsSparkSubmitOnItsJarsWithTheDriverSettingsAndConfDirs() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home/jars")).getParent();
        SparkSubmission submission = new SparkSubmission("yarn", "client", "app", dir.resolve("p"), List.of(), null,
                "/k/e.jar");
        List<String> cmd = submission.command(home, Path.of("/j/bin/java"), List.of("--add-opens=x"),
                Map.of("spark.driver.memory", "2g", "spark.driver.extraJavaOptions", "-Da=1  -Db=2",
                        "spark.driver.extraClassPath", "/x/y.jar"),
                Map.of("HADOOP_CONF_DIR", "/etc/hadoop/conf", "YARN_CONF_DIR", "/etc/yarn/conf"));
        assertEquals(List.of("/j/bin/java", "--add-opens=x", "-Xmx2g", "-Da=1", "-Db=2", "-cp",
                "/x/y.jar:" + home.resolve("jars/*") + ":/etc/hadoop/conf:/etc/yarn/conf", SparkSubmission.SUBMIT_CLASS),
                cmd.subList(0, 8));
        assertEquals(submission.arguments(), cmd.subList(8, cmd.size()));
    }

    @Test
    void aDistributionHomeRunsItsOwnSparkSubmitScript() throws Exception {
        Path home = Files.createDirectories(dir.resolve("dist/bin")).getParent();
        Path script = Files.writeString(home.resolve("bin/spark-submit"), "#!/bin/sh\n");
        script.toFile().setExecutable(true);
        Files.writeString(home.resolve("RELEASE"), "Spark 4.0.1\n");
        SparkSubmission submission = new SparkSubmission("yarn", "cluster", "app", dir.resolve("p"), List.of(), null,
                "/k/e.jar");
        List<String> cmd = submission.command(home, Path.of("/j/bin/java"), List.of(), Map.of(), Map.of());
        assertEquals(script.toString(), cmd.get(0));
        assertEquals(submission.arguments(), cmd.subList(1, cmd.size()));
    }

    @Test
    void deployModeAndLocalMastersAreReadAsSparkSubmitReadsThem() {
        assertEquals("client", SparkSubmission.deployMode(null));
        assertEquals("cluster", SparkSubmission.deployMode(" Cluster "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkSubmission.deployMode("remote"));
        assertEquals("Invalid value for spark.submit.deployMode: 'remote' (allowed: client, cluster)", e.getMessage());
        assertTrue(SparkSubmission.isLocal("local[2]"));
        assertTrue(SparkSubmission.isLocal(null));
        assertFalse(SparkSubmission.isLocal("spark://h:7077"));
        assertFalse(SparkSubmission.isLocal("yarn"));
    }

    @Test
    void doAsSubmitsForTheRoutingUserUnlessItIsTheServersOwn() {
        EngineSpace alice = new EngineSpace("kyuubi", "1-spark-4.0", ShareLevel.USER, "SPARK_SQL", "alice", "default");
        EngineSpace server = new EngineSpace("kyuubi", "1-spark-4.0", ShareLevel.SERVER, "SPARK_SQL",
                System.getProperty("user.name"), "default");
        assertEquals("alice", SparkEngineProvider.proxyUser(KitsuneConf.empty(), alice));
        assertNull(SparkEngineProvider.proxyUser(KitsuneConf.empty(), server));
        assertNull(SparkEngineProvider.proxyUser(KitsuneConf.of(Map.of("kyuubi.engine.doAs.enabled", "false")), alice));
    }

    private Path write(Properties engine) throws Exception {
        Path file = dir.resolve("engine.submit.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            SparkEngineProvider.submittedProperties(engine).store(out, null);
        }
        return file;
    }

    private static SparkSubmitArguments parse(List<String> args) {
        return new SparkSubmitArguments(CollectionConverters.asScala(args).toSeq(),
                scala.collection.immutable.Map$.MODULE$.empty());
    }

    private static String after(List<String> args, String flag) {
        int i = args.indexOf(flag);
        return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
    }
}
