package kitsune.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.testkit.Jdbc;
import kitsune.testkit.KitsuneServer;
import kitsune.testkit.RestClient;
import kitsune.testkit.WebConsole;

/**
 * The engine provider bundle is replaced through the Web Console's upload form, as a browser posts it, while a session
 * runs statements: none fails, the new version is active, and new sessions use it. The update survives a restart, and
 * the console's Update button brings back the version in the bundles directory.
 */
class BundleUpdateTest {
    private static final String PASSWORD = "bundle-update-pw";
    private static final String PROVIDER = "kitsune.engine.spark";
    private static final String NEW_VERSION = "0.1.1.updated";

    @Test
    void providerBundleUpdatedFromTheConsoleWhileASessionRunsAndAfterARestart(@TempDir Path dir) throws Exception {
        Path bundle = withVersion(providerJar(), dir.resolve(PROVIDER + "-" + NEW_VERSION + ".jar"), NEW_VERSION);
        try (KitsuneServer server = new KitsuneServer(Files.createTempDirectory("kitsune-e2e-update-"))
                .set("kitsune.console.password", PASSWORD).start()) {
            WebConsole console = WebConsole.of(server, "admin", PASSWORD);
            String shipped = console.bundleField(PROVIDER, "version");
            assertTrue(shipped.startsWith("0.1.0"), "the shipped provider runs first: " + shipped);
            try (Connection c = Jdbc.connect(server.zkUrl(), "olga")) {
                Jdbc.single(c, "SELECT 1");
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger ok = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                Thread loop = new Thread(() -> {
                    while (running.get()) {
                        try {
                            if (((Number) Jdbc.single(c, "SELECT 40 + 2")).intValue() == 42) ok.incrementAndGet();
                        } catch (SQLException e) {
                            failed.incrementAndGet();
                        }
                    }
                });
                loop.start();
                // the update happens while the session runs statements
                await("the session runs statements before the update").atMost(Duration.ofSeconds(30))
                        .until(() -> ok.get() >= 5);
                HttpResponse<String> upload = console.send(uploadRequest(console.url(), bundle));
                assertTrue(upload.statusCode() == 302 || upload.statusCode() == 200, "upload: " + upload.statusCode());
                String version = console.awaitBundleField(PROVIDER, "version", NEW_VERSION, Duration.ofSeconds(20));
                // and goes on running them once the new version is active
                int atUpdate = ok.get();
                await("the session runs statements after the update").atMost(Duration.ofSeconds(30))
                        .until(() -> ok.get() >= atUpdate + 5);
                running.set(false);
                loop.join(30_000);
                System.out.printf("[update] statements during the update: %d ok, %d failed%n", ok.get(), failed.get());
                assertEquals(NEW_VERSION, version, "the uploaded bundle is active");
                assertEquals(0, failed.get(), "no statement fails while the provider is replaced");
                assertTrue(ok.get() > 0);
            }
            // a new user's engine is launched by the new provider
            try (Connection fresh = Jdbc.connect(server.zkUrl(), "pavel")) {
                assertEquals(1, ((Number) Jdbc.single(fresh, "SELECT 1")).intValue());
            }
            HttpResponse<String> wrong = new WebConsole(console.url(), "admin", "admin")
                    .send(HttpRequest.newBuilder(URI.create(console.url() + "/bundles.json")));
            assertEquals(401, wrong.statusCode());

            // the update survives a restart: the framework storage under the work dir is kept
            assertEquals(0, server.script(Duration.ofSeconds(60), "stop"));
            assertTrue(server.awaitExit(Duration.ofSeconds(30)), "the server stopped");
            server.start();
            console = WebConsole.of(server, "admin", PASSWORD);
            assertEquals(NEW_VERSION, console.bundleField(PROVIDER, "version"), "still the uploaded version after a restart");
            try (Connection c = Jdbc.connect(server.zkUrl(), "olga")) {
                assertEquals(42, ((Number) Jdbc.single(c, "SELECT 40 + 2")).intValue());
            }

            // the console's Update button re-reads the bundle's location, the file in the bundles directory: back to
            // the shipped version
            HttpResponse<String> update = console.bundleAction(PROVIDER, "update");
            assertTrue(update.statusCode() < 400, "update: " + update.statusCode() + " " + update.body());
            assertEquals(shipped, console.awaitBundleField(PROVIDER, "version", shipped, Duration.ofSeconds(20)),
                    "Update re-read " + server.bundlesDir);
            assertTrue(server.log().contains("Bundle " + PROVIDER + " " + shipped + " updated"),
                    "the update is in the log");
            try (Connection c = Jdbc.connect(server.zkUrl(), "olga")) {
                assertEquals(42, ((Number) Jdbc.single(c, "SELECT 40 + 2")).intValue());
            }
        }
    }

    /** The provider bundle the build made, as shipped in lib/bundles. */
    private static Path providerJar() {
        return KitsuneServer.HOME.resolve("lib/bundles/" + PROVIDER + ".jar");
    }

    /** A copy of the bundle with another Bundle-Version, so that the update is visible. */
    private static Path withVersion(Path source, Path target, String version) throws Exception {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(source))) {
            Manifest mf = new Manifest(in.getManifest());
            mf.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), mf)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    /** The Web Console's install/update form: same symbolic name means an update in place. */
    private static HttpRequest.Builder uploadRequest(String console, Path bundle) throws Exception {
        return new RestClient.Multipart().field("action", "install").field("bundlestart", "start")
                .file("bundlefile", bundle.getFileName().toString(), "application/java-archive",
                        Files.readAllBytes(bundle))
                .post(HttpRequest.newBuilder(URI.create(console + "/bundles")));
    }
}
