package kitsune.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real YARN cluster on 127.0.0.1: Hadoop's MiniYARNCluster (a ResourceManager with the CapacityScheduler, one
 * NodeManager) in its own JVM, built by the kitsune-miniyarn module with Hadoop's server jars on its own class path.
 * Queues: {@code default} (99.9 %) and {@code tiny} (0.1 %, too small for any container: an application there waits
 * for resources for ever). The clients' core-site.xml and yarn-site.xml are in {@link #confDir} (HADOOP_CONF_DIR).
 * close() stops the cluster and ends every container process it started (found by its directory).
 */
public final class MiniYarn implements AutoCloseable {
    private static final Path BUILD = KitsuneServer.HOME.resolve("runtime/miniyarn/target");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path dir;
    public final Path confDir;
    private final HelperJvm jvm;
    private String webAddress;

    /** Starts the cluster with a NodeManager of that much memory and waits until it serves. */
    public MiniYarn(Path dir, int nodeManagerMemoryMb) throws IOException {
        this.dir = Files.createDirectories(dir).toRealPath();
        this.confDir = Files.createDirectories(this.dir.resolve("conf"));
        Path work = Files.createDirectories(this.dir.resolve("work"));
        jvm = new HelperJvm("MINIYARN", BUILD, "kitsune-miniyarn.jar", List.of("-Xmx768m",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dminiyarn.nm.memory-mb=" + nodeManagerMemoryMb),
                List.of("kitsune.miniyarn.MiniYarnMain", confDir.toString(), work.toString()), work,
                this.dir.resolve("miniyarn.log"), "HADOOP_CONF_DIR", "YARN_CONF_DIR");
        // MINIYARN READY rm=127.0.0.1:p web=127.0.0.1:q
        for (String part : jvm.ready().split(" ")) {
            if (part.startsWith("web=")) webAddress = part.substring(4);
        }
    }

    /** The application of that id as the ResourceManager's REST API gives it (state, user, queue, tags...). */
    public JsonNode application(String id) throws IOException, InterruptedException {
        return get("/ws/v1/cluster/apps/" + id).path("app");
    }

    /** The applications in any of those states (e.g. "ACCEPTED,RUNNING"), as the ResourceManager lists them. */
    public List<JsonNode> applications(String states) throws IOException, InterruptedException {
        List<JsonNode> apps = new ArrayList<>();
        get("/ws/v1/cluster/apps?states=" + URLEncoder.encode(states, StandardCharsets.UTF_8)).path("apps")
                .path("app").forEach(apps::add);
        return apps;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + webAddress + path))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    /** Stops the cluster (closing its stdin, as it expects), then ends whatever its containers left running. */
    @Override
    public void close() throws IOException {
        jvm.stop(Duration.ofSeconds(40));
        // container JVMs (application masters, drivers, executors) run in directories under this one
        String marker = dir.toString();
        Processes.endAll(c -> c.contains(marker));
    }
}
