package kitsune.frontend.rest.impl;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * Batch resources uploaded with multipart/form-data (Kyuubi's resourceFile part, and the extra files its
 * extraResourcesMap names): each batch's are stored as {@code <KITSUNE_WORK_DIR>/upload/<batch id>/resource<.ext>} and
 * {@code extra-<n><.ext>}, directories mode 0700 and the files 0600 whatever the umask. The client's file name is
 * never part of the path: only a known extension is kept (spark-submit tells a Python or R application by it, Spark
 * unpacks an archive by it), everything else of the name is dropped.
 */
final class Uploads {
    static final String DIR = "upload";
    static final String FILE = "resource";
    static final String EXTRA = "extra-";
    /** Extensions spark-submit understands for a primary resource; any other name is stored without one (a jar). */
    private static final Set<String> SAFE_EXTENSIONS = Set.of("jar", "py", "r", "zip", "egg");
    /** Extensions kept for an extra file: the resource's, the archives Spark unpacks, and common data files. */
    private static final Set<String> EXTRA_EXTENSIONS = Set.of("jar", "py", "r", "zip", "egg", "tar", "tgz",
            "tar.gz", "txt", "csv", "tsv", "json", "xml", "conf", "properties", "yaml", "yml", "parquet", "orc", "avro");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    /** Where the upload's bytes come from (a multipart part), written once to the path the server chose. */
    interface Content {
        /** The file name the client gave (untrusted; only its extension may be kept), or null. */
        String fileName();

        /** Writes the content to {@code target}, which does not exist yet. */
        void writeTo(Path target) throws IOException;
    }

    private final Path root;

    Uploads(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The uploads of the server with this configuration: under kitsune.work.dir (KITSUNE_WORK_DIR). */
    static Uploads of(KitsuneConf conf) {
        String dir = conf.raw(ConfigKeys.WORK_DIR.name());
        return new Uploads(Path.of(dir == null || dir.isBlank() ? ConfigKeys.WORK_DIR.defaultValue() : dir)
                .resolve(DIR));
    }

    Path root() {
        return root;
    }

    /**
     * The extension kept from a client's file name: ".jar", ".py", ".r", ".zip" or ".egg" when the name's last
     * segment (after any '/' or '\') ends with one, else "".
     */
    static String extension(String clientName) {
        return kept(clientName, SAFE_EXTENSIONS);
    }

    /**
     * The extension kept from an extra file's name (the name the client listed in extraResourcesMap): ".tar.gz", or
     * one of {@link #EXTRA_EXTENSIONS} with a dot, lower-cased, when the name's last segment ends with it, else "".
     */
    static String extraExtension(String clientName) {
        return kept(clientName, EXTRA_EXTENSIONS);
    }

    /** A known extension ({@code known}, lower case, "tar.gz" included when listed) of the name's last segment. */
    private static String kept(String clientName, Set<String> known) {
        if (clientName == null) return "";
        String name = clientName;
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        if (slash >= 0) name = name.substring(slash + 1);
        String lower = name.toLowerCase(Locale.ROOT);
        if (known.contains("tar.gz") && lower.endsWith(".tar.gz") && lower.length() > ".tar.gz".length()) {
            return ".tar.gz";
        }
        int dot = lower.lastIndexOf('.');
        if (dot <= 0 || dot == lower.length() - 1) return "";
        String ext = lower.substring(dot + 1);
        return known.contains(ext) ? "." + ext : "";
    }

    /**
     * What a batch upload carries: the application, and the extra files by the names the client listed in
     * extraResourcesMap (each {@link Content#fileName()} is that name).
     */
    record Uploaded(Content resource, java.util.Map<String, Content> extras) {
        Uploaded(Content resource) {
            this(resource, java.util.Map.of());
        }
    }

    /** What {@link #store(String, Content, List)} stored: the resource and the extra files, in the order given. */
    record Stored(Path resource, List<Path> extras) {
    }

    /** The directory of a batch's upload; the id must be a UUID (the server's own), never a client's text. */
    Path dirOf(String batchId) {
        if (RestHandles.uuid(batchId) == null) throw new IllegalArgumentException("not a batch id: " + batchId);
        return root.resolve(batchId);
    }

    /**
     * Stores the content for the batch, owner-only; on any failure nothing of it is left.
     *
     * @return the stored file's absolute path (the batch's resource)
     */
    Path store(String batchId, Content content) throws IOException {
        return store(batchId, content, List.of()).resource();
    }

    /**
     * Stores the resource and the extra files for the batch, owner-only: the resource as {@code resource<.ext>}, the
     * extra files as {@code extra-1<.ext>}, {@code extra-2<.ext>}, ... in the order given (each extension from
     * {@link Content#fileName()} by {@link #extraExtension}); on any failure nothing of them is left.
     */
    Stored store(String batchId, Content content, List<Content> extras) throws IOException {
        Path dir = dirOf(batchId);
        ensureRoot();
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            Files.setPosixFilePermissions(dir, DIR_MODE);
            Path target = write(dir.resolve(FILE + extension(content.fileName())), content);
            List<Path> stored = new ArrayList<>();
            for (Content extra : extras) {
                stored.add(write(dir.resolve(EXTRA + (stored.size() + 1) + extraExtension(extra.fileName())), extra));
            }
            return new Stored(target, List.copyOf(stored));
        } catch (IOException | RuntimeException e) {
            remove(batchId);
            throw e;
        }
    }

    private static Path write(Path target, Content content) throws IOException {
        content.writeTo(target);
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the upload was not stored as a regular file");
        }
        Files.setPosixFilePermissions(target, FILE_MODE);
        return target;
    }

    /** Creates the upload directory (mode 0700), where the HTTP service also parks parts while it parses them. */
    void prepareRoot() throws IOException {
        ensureRoot();
    }

    private void ensureRoot() throws IOException {
        if (Files.isSymbolicLink(root)) throw new IOException(root + " is a symbolic link; remove it");
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root.getParent());
            try {
                Files.createDirectory(root, PosixFilePermissions.asFileAttribute(DIR_MODE));
            } catch (FileAlreadyExistsException raced) {
                // another request created it
            }
        }
        Files.setPosixFilePermissions(root, DIR_MODE);
    }

    /** Removes the batch's upload, if any; true when something was removed. */
    boolean remove(String batchId) {
        if (RestHandles.uuid(batchId) == null) return false;
        Path dir = root.resolve(batchId);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return false;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            return true;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot remove the upload " + dir, e);
        }
    }

    /** Batch ids with an upload directory here. */
    List<String> batchIds() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) return ids;
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.map(p -> p.getFileName().toString()).filter(n -> RestHandles.uuid(n) != null).forEach(ids::add);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot list " + root, e);
        }
        return ids;
    }

    /** When the batch's upload directory was last modified (epoch ms), or 0. */
    long modified(String batchId) {
        try {
            return Files.getLastModifiedTime(dirOf(batchId), LinkOption.NOFOLLOW_LINKS).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
