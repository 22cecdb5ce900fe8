package kitsune.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Spark standalone cluster on 127.0.0.1: Spark's own Master and Workers, each a JVM started from an engine
 * home's jars, on free ports, with the workers' directories under one test directory. close() stops the workers and
 * the master and ends every driver and executor they started (found by that directory on their command lines).
 */
public final class SparkStandalone implements AutoCloseable {
    public static final Path SPARK_4_0 = KitsuneServer.HOME.resolve("engines/spark-4.0");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path dir;
    private final Path home;
    private final int masterPort = FreePorts.next();
    private final int masterUiPort = FreePorts.next();
    private final List<Worker> workers = new ArrayList<>();
    private Process master;

    /** A started worker: its process, web UI port and work directory. */
    public record Worker(Process process, int uiPort, Path workDir) {
    }

    /** Starts a master and the workers (2 cores, 2 GiB each) and waits until every worker has registered. */
    public SparkStandalone(Path dir, Path home, int workerCount) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.home = home;
        try {
            master = start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    String.valueOf(masterPort), "--webui-port", String.valueOf(masterUiPort)));
            for (int i = 1; i <= workerCount; i++) addWorker();
            await("workers registered with " + masterUrl()).atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> masterJson().path("aliveworkers").asInt() == workerCount);
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Starts one more worker (it registers with the master on its own). */
    public Worker addWorker() throws IOException {
        int n = workers.size() + 1;
        int ui = FreePorts.next();
        Path work = Files.createDirectories(dir.resolve("worker-" + n));
        Process p = start("worker-" + n, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--port", String.valueOf(FreePorts.next()), "--webui-port", String.valueOf(ui), "--cores", "2",
                "--memory", "2g", "--work-dir", work.toString(), masterUrl()));
        Worker w = new Worker(p, ui, work);
        workers.add(w);
        return w;
    }

    private Process start(String name, List<String> mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", home.resolve("jars").resolve("*").toString(),
                // a marker that finds this cluster's daemons among the machine's processes
                "-Dkitsune.test.cluster=" + dir));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        // a Maven-assembled home has jars/ but no build directories from which Spark's launcher would guess this
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
        return pb.start();
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** The master's web UI, e.g. http://127.0.0.1:41234. */
    public String masterUiUrl() {
        return "http://127.0.0.1:" + masterUiPort;
    }

    /** The master's state as its web UI's /json gives it (workers, active and completed apps and drivers). */
    public JsonNode masterJson() throws IOException, InterruptedException {
        return json(masterUiPort);
    }

    /** A worker's state as its web UI's /json gives it (its executors and drivers). */
    public JsonNode workerJson(Worker w) throws IOException, InterruptedException {
        return json(w.uiPort());
    }

    /** The application of that id as the master lists it (active or completed); a missing node if none. */
    public JsonNode application(String appId) throws IOException, InterruptedException {
        JsonNode m = masterJson();
        for (String list : List.of("activeapps", "completedapps")) {
            for (JsonNode app : m.path(list)) {
                if (appId.equals(app.path("id").asText())) return app;
            }
        }
        return JSON.missingNode();
    }

    private static JsonNode json(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET /json on port " + port + ": HTTP " + r.statusCode());
        return JSON.readTree(r.body());
    }

    /** Kills a worker at once (SIGKILL), as a machine failure would; its executors lose their worker. */
    public void kill(Worker w) {
        w.process().destroyForcibly();
    }

    @Override
    public void close() throws Exception {
        for (Worker w : workers) w.process().destroy();
        for (Worker w : workers) {
            if (!w.process().waitFor(30, TimeUnit.SECONDS)) w.process().destroyForcibly();
        }
        if (master != null) {
            master.destroy();
            if (!master.waitFor(30, TimeUnit.SECONDS)) master.destroyForcibly();
        }
        // drivers and executors the workers started run in the workers' directories
        String marker = dir.toString();
        Processes.endAll(c -> c.contains(marker));
    }
}
