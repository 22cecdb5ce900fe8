package kitsune.frontend.rest.impl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import kitsune.api.conf.ConfigKeys;
import kitsune.internal.text.LogText;

/**
 * Kyuubi's batch upload: {@code POST /batches} as multipart/form-data with the parts {@code batchRequest} (the JSON
 * BatchRequest) and {@code resourceFile} (the application). The parsing is the HTTP service's (the OSGi whiteboard's
 * multipart support of Felix HTTP, bounded by {@link #maxRequestSize}, {@code maxFileSize} and two parts); this
 * class checks what it may, maps the parser's refusals to answers naming the key, and deletes every part's temporary
 * file when the request is done ({@link #close}).
 */
final class BatchUpload implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchUpload.class);
    static final String REQUEST_PART = "batchRequest";
    static final String FILE_PART = "resourceFile";
    /** Room for the JSON part and the parts' headers beside the file. */
    static final long OVERHEAD = RestServlet.MAX_BODY + 64 * 1024;
    static final String MULTIPART = "multipart/form-data";

    private final Collection<Part> parts;
    private final byte[] batchRequest;
    private final Part resource;

    private BatchUpload(Collection<Part> parts, byte[] batchRequest, Part resource) {
        this.parts = parts;
        this.batchRequest = batchRequest;
        this.resource = resource;
    }

    /** Whether the request is a batch upload (its parts are read only after the caller logged in). */
    static boolean isUpload(String method, String[] path, String contentType) {
        return "POST".equalsIgnoreCase(method) && path.length == 1 && path[0].equals("batches")
                && contentType != null && contentType.trim().toLowerCase(Locale.ROOT).startsWith(MULTIPART);
    }

    /** The largest request body: the file and the overhead; -1 (none) when the file has no limit. */
    static long maxRequestSize(long maxFileSize) {
        if (maxFileSize <= 0 || maxFileSize > Long.MAX_VALUE - OVERHEAD) return -1;
        return maxFileSize + OVERHEAD;
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
    static BatchUpload read(HttpServletRequest req, boolean enabled, long maxFileSize) throws RestException {
        if (!enabled) {
            throw new RestException(403, "Uploading a batch's resource is disabled on this server ("
                    + ConfigKeys.BATCH_RESOURCE_UPLOAD_ENABLED.name() + "=false): send the BatchRequest as JSON "
                    + "with resource naming a jar under " + ConfigKeys.BATCH_RESOURCE_DIRS.name());
        }
        refuseFromWebPage(req.getHeader("Origin"), req.getHeader("Sec-Fetch-Site"), req.getHeader("X-XSRF-HEADER"));
        long max = maxRequestSize(maxFileSize);
        long length = req.getContentLengthLong();
        if (max > 0 && length > max) throw tooLarge(maxFileSize);
        Collection<Part> parts;
        try {
            parts = req.getParts();
        } catch (IOException | ServletException | IllegalStateException e) {
            throw refusal(e, maxFileSize);
        }
        BatchUpload upload = new BatchUpload(parts, null, null);
        try {
            return upload.check();
        } catch (RestException | RuntimeException e) {
            upload.close();
            throw e;
        }
    }

    private BatchUpload check() throws RestException {
        byte[] json = null;
        Part file = null;
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
                file = p;
            } else {
                throw RestException.badRequest("Unexpected part " + LogText.of(String.valueOf(name)) + ": a batch "
                        + "upload has one part " + REQUEST_PART + " (the BatchRequest as JSON) and one part "
                        + FILE_PART + " (the application)");
            }
        }
        if (json == null) {
            throw RestException.badRequest("The part " + REQUEST_PART + " (the BatchRequest as JSON) is missing");
        }
        if (file == null) {
            throw RestException.badRequest("The part " + FILE_PART + " (the application file) is missing");
        }
        return new BatchUpload(parts, json, file);
    }

    /** The parser's refusal as an answer: too large (413 naming the key), too many parts or malformed (400). */
    static RestException refusal(Exception e, long maxFileSize) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String type = t.getClass().getName();
            if (type.endsWith("SizeLimitExceededException") || type.endsWith("SizeException")) {
                return tooLarge(maxFileSize);
            }
            if (type.endsWith("FileCountLimitExceededException")) {
                return RestException.badRequest("Too many parts: a batch upload has one part " + REQUEST_PART
                        + " and one part " + FILE_PART);
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
        Part p = resource;
        return new Uploads.Content() {
            @Override public String fileName() {
                return p.getSubmittedFileName();
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
