package kitsune.frontend.rest.impl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import kitsune.api.conf.ConfigKeys;
import kitsune.internal.text.LogText;

/**
 * Kyuubi's batch upload: {@code POST /batches} as multipart/form-data with the parts {@code batchRequest} (the JSON
 * BatchRequest) and {@code resourceFile} (the application), and one part per extra file the BatchRequest's
 * extraResourcesMap names (the part's name is the file's name). The parsing is the HTTP service's (the OSGi
 * whiteboard's multipart support of Felix HTTP, bounded by {@link Limits#maxRequestSize}, the larger file size and
 * {@link Limits#maxParts}); this class checks each part against its own bound, maps the parser's refusals to answers
 * naming the key, and deletes every part's temporary file when the request is done ({@link #close}). Whether the
 * extra parts are the ones the BatchRequest lists is checked where it is read ({@link Batches}).
 */
final class BatchUpload implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchUpload.class);
    static final String REQUEST_PART = "batchRequest";
    static final String FILE_PART = "resourceFile";
    /** Room for the JSON part and the parts' headers beside the file. */
    static final long OVERHEAD = RestServlet.MAX_BODY + 64 * 1024;
    static final String MULTIPART = "multipart/form-data";

    /**
     * The bounds of an upload.
     *
     * @param maxFileSize      the resource's (kyuubi.batch.resource.file.max.size), 0 or less: none
     * @param maxExtraFileSize each extra file's (kyuubi.batch.extra.resource.file.max.size), 0 or less: none
     * @param maxExtraFiles    how many extra files (kitsune.batch.extra.resource.files.max)
     */
    record Limits(long maxFileSize, long maxExtraFileSize, int maxExtraFiles) {
        Limits {
            maxExtraFiles = Math.max(0, maxExtraFiles);
        }

        static Limits of(kitsune.api.conf.KitsuneConf conf) {
            return new Limits(conf.get(ConfigKeys.BATCH_RESOURCE_FILE_MAX_SIZE),
                    conf.get(ConfigKeys.BATCH_EXTRA_RESOURCE_FILE_MAX_SIZE),
                    conf.get(ConfigKeys.BATCH_EXTRA_RESOURCE_FILES_MAX));
        }

        /** The parser's bound of one file: the larger of both (each part is then checked against its own); -1: none. */
        long parserMaxFileSize() {
            if (maxFileSize <= 0 || (maxExtraFiles > 0 && maxExtraFileSize <= 0)) return -1;
            return maxExtraFiles > 0 ? Math.max(maxFileSize, maxExtraFileSize) : maxFileSize;
        }

        /** The parts the parser accepts: batchRequest, resourceFile and the extra files. */
        long maxParts() {
            return 2L + maxExtraFiles;
        }

        /**
         * The largest request body: the resource, every extra file at its largest and the overhead; -1 (none) when
         * a file has no limit or the sum does not fit in a long.
         */
        long maxRequestSize() {
            if (maxFileSize <= 0 || (maxExtraFiles > 0 && maxExtraFileSize <= 0)) return -1;
            try {
                long extras = maxExtraFiles == 0 ? 0 : Math.multiplyExact(maxExtraFileSize, (long) maxExtraFiles);
                return Math.addExact(Math.addExact(maxFileSize, extras), OVERHEAD + maxExtraFiles * PART_OVERHEAD);
            } catch (ArithmeticException tooLarge) {
                return -1;
            }
        }
    }

    /** Room for one extra part's headers (its name, file name and type). */
    static final long PART_OVERHEAD = 4 * 1024;

    private final Collection<Part> parts;
    private final byte[] batchRequest;
    private final Part resource;
    private final Map<String, Part> extras;

    private BatchUpload(Collection<Part> parts, byte[] batchRequest, Part resource, Map<String, Part> extras) {
        this.parts = parts;
        this.batchRequest = batchRequest;
        this.resource = resource;
        this.extras = extras;
    }

    /** Whether the request is a batch upload (its parts are read only after the caller logged in). */
    static boolean isUpload(String method, String[] path, String contentType) {
        return "POST".equalsIgnoreCase(method) && path.length == 1 && path[0].equals("batches")
                && contentType != null && contentType.trim().toLowerCase(Locale.ROOT).startsWith(MULTIPART);
    }

    /** The largest request body without extra files: the file and the overhead; -1 (none) when it has no limit. */
    static long maxRequestSize(long maxFileSize) {
        return new Limits(maxFileSize, 0, 0).maxRequestSize();
    }

    /**
     * Refuses what a web page could send: a browser sends a cross-site form as multipart/form-data with the
     * user's stored credentials (Basic, the login cookie), and always names the page's Origin (or Sec-Fetch-Site) on
     * such a POST; a program does not, or adds X-XSRF-HEADER, which no form can set.
     */
    static void refuseFromWebPage(String origin, String fetchSite, String xsrfHeader) throws RestException {
        boolean fromPage = origin != null || (fetchSite != null && !fetchSite.equalsIgnoreCase("none"));
        if (fromPage && xsrfHeader == null) {
            throw new RestException(403, "A batch upload from a web page is refused (a cross-site form could send "
                    + "it with your credentials): send it from a program, or add the header X-XSRF-HEADER");
        }
    }

    /** Reads the upload of a logged-in caller, or refuses it naming the cause. */
    static BatchUpload read(HttpServletRequest req, boolean enabled, Limits limits) throws RestException {
        if (!enabled) {
            throw new RestException(403, "Uploading a batch's resource is disabled on this server ("
                    + ConfigKeys.BATCH_RESOURCE_UPLOAD_ENABLED.name() + "=false): send the BatchRequest as JSON "
                    + "with resource naming a jar under " + ConfigKeys.BATCH_RESOURCE_DIRS.name());
        }
        refuseFromWebPage(req.getHeader("Origin"), req.getHeader("Sec-Fetch-Site"), req.getHeader("X-XSRF-HEADER"));
        long max = limits.maxRequestSize();
        long length = req.getContentLengthLong();
        if (max > 0 && length > max) throw requestTooLarge(limits);
        Collection<Part> parts;
        try {
            parts = req.getParts();
        } catch (IOException | ServletException | IllegalStateException e) {
            throw refusal(e, limits);
        }
        return check(parts, limits);
    }

    /** Checks the parsed parts (deleting them all when refusing). */
    static BatchUpload check(Collection<Part> parts, Limits limits) throws RestException {
        BatchUpload upload = new BatchUpload(parts, null, null, Map.of());
        try {
            return upload.check(limits);
        } catch (RestException | RuntimeException e) {
            upload.close();
            throw e;
        }
    }

    private BatchUpload check(Limits limits) throws RestException {
        byte[] json = null;
        Part file = null;
        Map<String, Part> extra = new LinkedHashMap<>();
        for (Part p : parts) {
            String name = p.getName();
            if (REQUEST_PART.equals(name) && json == null) {
                if (p.getSize() > RestServlet.MAX_BODY) {
                    throw new RestException(413, "The part " + REQUEST_PART + " is too large: at most "
                            + RestServlet.MAX_BODY + " bytes");
                }
                try (InputStream in = p.getInputStream()) {
                    json = in.readNBytes(RestServlet.MAX_BODY + 1);
                } catch (IOException e) {
                    throw RestException.badRequest("Unreadable part " + REQUEST_PART + ": " + LogText.of(
                            e.getMessage()));
                }
            } else if (FILE_PART.equals(name) && file == null) {
                if (limits.maxFileSize() > 0 && p.getSize() > limits.maxFileSize()) throw tooLarge(limits.maxFileSize());
                file = p;
            } else if (name != null && !name.isEmpty() && !REQUEST_PART.equals(name) && !FILE_PART.equals(name)
                    && limits.maxExtraFiles() > 0) {
                if (extra.containsKey(name)) {
                    throw RestException.badRequest("Duplicate part " + LogText.of(name) + ": each extra file of "
                            + "extraResourcesMap is sent once, as a part named by the file's name");
                }
                if (extra.size() >= limits.maxExtraFiles()) throw tooManyExtras(limits.maxExtraFiles());
                if (limits.maxExtraFileSize() > 0 && p.getSize() > limits.maxExtraFileSize()) {
                    throw extraTooLarge(name, limits.maxExtraFileSize());
                }
                extra.put(name, p);
            } else {
                throw RestException.badRequest("Unexpected part " + LogText.of(String.valueOf(name)) + ": a batch "
                        + "upload has one part " + REQUEST_PART + " (the BatchRequest as JSON), one part "
                        + FILE_PART + " (the application)" + (limits.maxExtraFiles() > 0 ? " and one part per "
                        + "file named in extraResourcesMap" : ""));
            }
        }
        if (json == null) {
            throw RestException.badRequest("The part " + REQUEST_PART + " (the BatchRequest as JSON) is missing");
        }
        if (file == null) {
            throw RestException.badRequest("The part " + FILE_PART + " (the application file) is missing");
        }
        return new BatchUpload(parts, json, file, Collections.unmodifiableMap(extra));
    }

    /**
     * The parser's refusal as an answer: too large (413 naming the key: the resource's or the extra files' for one
     * file, by the field the parser names; both for the whole request), too many parts or malformed (400).
     */
    static RestException refusal(Exception e, Limits limits) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String type = t.getClass().getName();
            if (type.endsWith("FileSizeLimitExceededException")) {
                String m = String.valueOf(t.getMessage());
                return limits.maxExtraFiles() == 0 || m.contains("field " + FILE_PART + " ")
                        ? tooLarge(limits.maxFileSize()) : extraTooLarge(null, limits.maxExtraFileSize());
            }
            if (type.endsWith("SizeLimitExceededException") || type.endsWith("SizeException")) {
                return requestTooLarge(limits);
            }
            if (type.endsWith("FileCountLimitExceededException")) {
                return limits.maxExtraFiles() == 0 ? RestException.badRequest("Too many parts: a batch upload has one "
                        + "part " + REQUEST_PART + " and one part " + FILE_PART) : tooManyExtras(limits.maxExtraFiles());
            }
        }
        if (e instanceof IllegalStateException) {
            LOG.error("Multipart parsing is not available for the REST servlet", e);
            return new RestException(500, "Uploads are not available (multipart is not enabled for the REST "
                    + "servlet); the server log has the details");
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return RestException.badRequest("Malformed multipart/form-data body (a batch upload has the parts "
                + REQUEST_PART + " and " + FILE_PART + "): " + LogText.of(
                String.valueOf(root.getMessage())));
    }

    static RestException tooManyExtras(int max) {
        return RestException.badRequest("Too many parts: a batch upload has one part " + REQUEST_PART + ", one part "
                + FILE_PART + " and at most " + max + " extra files (" + ConfigKeys.BATCH_EXTRA_RESOURCE_FILES_MAX.name()
                + "); send fewer files, or put them under " + ConfigKeys.BATCH_RESOURCE_DIRS.name());
    }

    static RestException extraTooLarge(String name, long max) {
        return new RestException(413, "Uploaded extra resource " + (name == null ? "" : LogText.of(name) + " ")
                + "too large: at most " + max + " bytes (" + ConfigKeys.BATCH_EXTRA_RESOURCE_FILE_MAX_SIZE.name()
                + "); ask the operator to raise it, or put the file under " + ConfigKeys.BATCH_RESOURCE_DIRS.name());
    }

    /** The whole request is too large: without extra files the resource's key, else both keys. */
    static RestException requestTooLarge(Limits limits) {
        if (limits.maxExtraFiles() == 0) return tooLarge(limits.maxFileSize());
        return new RestException(413, "Upload too large: at most " + limits.maxFileSize() + " bytes for the resource ("
                + ConfigKeys.BATCH_RESOURCE_FILE_MAX_SIZE.name() + ") and " + limits.maxExtraFileSize() + " for each of "
                + "at most " + limits.maxExtraFiles() + " extra files (" + ConfigKeys.BATCH_EXTRA_RESOURCE_FILE_MAX_SIZE
                .name() + ", " + ConfigKeys.BATCH_EXTRA_RESOURCE_FILES_MAX.name() + "); ask the operator to raise "
                + "them, or put the files under " + ConfigKeys.BATCH_RESOURCE_DIRS.name());
    }

    static RestException tooLarge(long maxFileSize) {
        return new RestException(413, "Uploaded resource too large: at most " + maxFileSize + " bytes ("
                + ConfigKeys.BATCH_RESOURCE_FILE_MAX_SIZE.name() + "); ask the operator to raise it, or put the "
                + "application under " + ConfigKeys.BATCH_RESOURCE_DIRS.name() + " and name it in resource");
    }

    byte[] batchRequest() {
        return batchRequest;
    }

    /** The uploaded file as the batch's content: written once to the path the server chose. */
    Uploads.Content content() {
        return content(resource, resource.getSubmittedFileName());
    }

    /** The uploaded files: the resource, and the extra files by their part's name (the name extraResourcesMap lists). */
    Uploads.Uploaded files() {
        Map<String, Uploads.Content> byName = new LinkedHashMap<>();
        extras.forEach((name, p) -> byName.put(name, content(p, name)));
        return new Uploads.Uploaded(content(), Collections.unmodifiableMap(byName));
    }

    private static Uploads.Content content(Part p, String name) {
        return new Uploads.Content() {
            @Override public String fileName() {
                return name;
            }

            @Override public void writeTo(Path target) throws IOException {
                p.write(target.toString());
            }
        };
    }

    /** Deletes every part's temporary file. */
    @Override
    public void close() {
        for (Part p : parts) {
            try {
                p.delete();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot delete an uploaded part's temporary file: {}", e.toString());
            }
        }
    }
}
