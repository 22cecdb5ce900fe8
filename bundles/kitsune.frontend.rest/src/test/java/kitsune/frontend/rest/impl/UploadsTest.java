package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kitsune.api.conf.KitsuneConf;

/**
 * Where an uploaded batch resource is stored: a name of the server's whatever the client calls the file, owner-only
 * directories and file, nothing left when storing fails, and an allow-list that stays closed to the upload directory.
 */
class UploadsTest {
    @TempDir
    Path work;

    private static Uploads.Content content(String name, byte[] bytes) {
        return new Uploads.Content() {
            @Override public String fileName() {
                return name;
            }

            @Override public void writeTo(Path target) throws IOException {
                Files.write(target, bytes, java.nio.file.StandardOpenOption.CREATE_NEW);
            }
        };
    }

    @Test
    void onlyAKnownExtensionOfTheClientsFileNameIsKept() {
        assertEquals(".jar", Uploads.extension("app.jar"));
        assertEquals(".jar", Uploads.extension("../../etc/cron.d/evil.JAR"));
        assertEquals(".py", Uploads.extension("C:\\Users\\x\\job.py"));
        assertEquals("", Uploads.extension("evil.sh"));
        assertEquals("", Uploads.extension("../../.bashrc"));
        assertEquals("", Uploads.extension("a.jar/../b"));
        assertEquals("", Uploads.extension("a.jar\0.sh"));
        assertEquals("", Uploads.extension("noext"));
        assertEquals("", Uploads.extension("trailing."));
        assertEquals("", Uploads.extension(null));
        assertEquals("", Uploads.extension("/"));
    }

    @Test
    void aTraversalFileNameIsStoredUnderTheBatchsDirectoryOwnerOnly() throws Exception {
        Uploads u = new Uploads(work.resolve("upload"));
        String id = UUID.randomUUID().toString();
        for (String hostile : List.of("../../../../tmp/evil.jar", "/etc/passwd", "..", "a/../../b.jar")) {
            Path stored = u.store(id, content(hostile, new byte[] {1, 2, 3}));
            assertEquals(u.root().resolve(id), stored.getParent(), hostile);
            assertTrue(stored.getFileName().toString().startsWith("resource"), hostile);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored.getParent())));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(u.root())));
            assertTrue(u.remove(id));
            assertFalse(Files.exists(stored.getParent()));
        }
        try (var left = Files.list(u.root())) {
            assertEquals(0, left.count(), "nothing outside the batch's directory was written");
        }
        assertFalse(Files.exists(work.resolve("evil.jar")));
    }

    @Test
    void aFailedStoreLeavesNothingAndOnlyServerBatchIdsNameDirectories() throws Exception {
        Uploads u = new Uploads(work.resolve("upload"));
        String id = UUID.randomUUID().toString();
        Uploads.Content failing = new Uploads.Content() {
            @Override public String fileName() {
                return "a.jar";
            }

            @Override public void writeTo(Path target) throws IOException {
                Files.write(target, new byte[10]);
                throw new IOException("client went away");
            }
        };
        assertThrows(IOException.class, () -> u.store(id, failing));
        assertFalse(Files.exists(u.root().resolve(id)));
        assertEquals(List.of(), u.batchIds());
        assertThrows(IllegalArgumentException.class, () -> u.store("../x", content("a.jar", new byte[1])));
        assertFalse(u.remove("../../" + work.getFileName()));
        assertTrue(Files.isDirectory(work));
    }

    @Test
    void theUploadDirectoryIsNoAllowedResourceForAJsonRequest() throws Exception {
        Path apps = Files.createDirectories(work.resolve("apps"));
        KitsuneConf conf = KitsuneConf.of(Map.of("kitsune.work.dir", work.toString(),
                "kitsune.batch.resource.dirs", apps.toString()));
        Path stored = Uploads.of(conf).store(UUID.randomUUID().toString(), content("a.jar", new byte[] {1}));
        RestException e = assertThrows(RestException.class, () -> Batches.resource(stored.toString(), conf));
        assertEquals(403, e.status());
    }

    @Test
    void anExtraFileKeepsOnlyAKnownExtensionOfItsListedName() {
        assertEquals(".jar", Uploads.extraExtension("udf.jar"));
        assertEquals(".csv", Uploads.extraExtension("../../data/Lookup.CSV"));
        assertEquals(".tar.gz", Uploads.extraExtension("env.tar.gz"));
        assertEquals(".tgz", Uploads.extraExtension("C:\\x\\env.tgz"));
        assertEquals(".zip", Uploads.extraExtension("deps.zip"));
        assertEquals("", Uploads.extraExtension("run.sh"));
        assertEquals("", Uploads.extraExtension(".tar.gz"));
        assertEquals("", Uploads.extraExtension(".bashrc"));
        assertEquals("", Uploads.extraExtension("a.jar/.."));
        assertEquals("", Uploads.extraExtension("a.csv\0.sh"));
        assertEquals("", Uploads.extraExtension(null));
    }

    @Test
    void extraFilesAreStoredBesideTheResourceUnderServerNamesOwnerOnly() throws Exception {
        Uploads u = new Uploads(work.resolve("upload"));
        String id = UUID.randomUUID().toString();
        Uploads.Stored stored = u.store(id, content("app.jar", new byte[] {1}), List.of(
                content("../../../../tmp/evil.jar", new byte[] {2}), content("/etc/passwd", new byte[] {3}),
                content("..", new byte[] {4}), content("lookup.csv", new byte[] {5})));
        Path dir = u.root().resolve(id);
        assertEquals(dir.resolve("resource.jar"), stored.resource());
        assertEquals(List.of(dir.resolve("extra-1.jar"), dir.resolve("extra-2"), dir.resolve("extra-3"),
                dir.resolve("extra-4.csv")), stored.extras());
        byte expected = 2;
        for (Path p : stored.extras()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            assertEquals(expected++, Files.readAllBytes(p)[0], p.toString());
        }
        try (var files = Files.list(dir)) {
            assertEquals(5, files.count(), "nothing but the five files in the batch's directory");
        }
        try (var left = Files.list(u.root())) {
            assertEquals(1, left.count(), "nothing outside the batch's directory was written");
        }
        assertTrue(u.remove(id));
        assertFalse(Files.exists(dir));
    }

    @Test
    void aFailedExtraFileLeavesNothingOfTheUpload() throws Exception {
        Uploads u = new Uploads(work.resolve("upload"));
        String id = UUID.randomUUID().toString();
        Uploads.Content failing = new Uploads.Content() {
            @Override public String fileName() {
                return "b.jar";
            }

            @Override public void writeTo(Path target) throws IOException {
                Files.write(target, new byte[10]);
                throw new IOException("client went away");
            }
        };
        assertThrows(IOException.class, () -> u.store(id, content("app.jar", new byte[] {1}),
                List.of(content("a.jar", new byte[] {2}), failing)));
        assertFalse(Files.exists(u.root().resolve(id)));
        assertEquals(List.of(), u.batchIds());
    }
}
