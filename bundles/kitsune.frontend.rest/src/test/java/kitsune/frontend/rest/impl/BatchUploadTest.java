package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.Test;

import jakarta.servlet.http.Part;

/**
 * The bounds of a batch upload that do not need the HTTP service's parser: which requests are uploads, the largest
 * request, the parser's refusals as answers naming the key, and uploads a web page could send.
 */
class BatchUploadTest {
    /** Named as Apache Commons FileUpload names its refusals (the parser Felix HTTP embeds). */
    static final class FileSizeLimitExceededException extends IOException {
        FileSizeLimitExceededException() {
            super("The field resourceFile exceeds its maximum permitted size");
        }
    }

    static final class FileCountLimitExceededException extends IOException {
        FileCountLimitExceededException() {
            super("attachment");
        }
    }

    /**
     * A parsed part as the HTTP service hands it over (its parser, Felix HTTP's, needs the running HTTP service: the
     * e2e BatchUploadTest runs it); remembers whether it was deleted.
     */
    static final class ParsedPart implements Part {
        final String name;
        final String fileName;
        final byte[] bytes;
        boolean deleted;

        ParsedPart(String name, String fileName, byte[] bytes) {
            this.name = name;
            this.fileName = fileName;
            this.bytes = bytes;
        }

        @Override public InputStream getInputStream() {
            return new ByteArrayInputStream(bytes);
        }

        @Override public String getContentType() {
            return "application/octet-stream";
        }

        @Override public String getName() {
            return name;
        }

        @Override public String getSubmittedFileName() {
            return fileName;
        }

        @Override public long getSize() {
            return bytes.length;
        }

        @Override public void write(String file) throws IOException {
            Files.write(Path.of(file), bytes, java.nio.file.StandardOpenOption.CREATE_NEW);
        }

        @Override public void delete() {
            deleted = true;
        }

        @Override public String getHeader(String n) {
            return null;
        }

        @Override public Collection<String> getHeaders(String n) {
            return List.of();
        }

        @Override public Collection<String> getHeaderNames() {
            return List.of();
        }
    }

    private static ParsedPart json() {
        return new ParsedPart("batchRequest", null, "{\"batchType\":\"SPARK\"}".getBytes());
    }

    private static ParsedPart file(String name, int size) {
        return new ParsedPart(name, name, new byte[size]);
    }

    private static void assertAllDeleted(List<ParsedPart> parts) {
        for (ParsedPart p : parts) assertTrue(p.deleted, p.name + " was not deleted");
    }

    @Test
    void extraPartsAreCollectedByTheirNamesBesideTheRequestAndTheResource() throws Exception {
        List<ParsedPart> parts = List.of(file("udf.jar", 3), json(), file("resourceFile", 5), file("../../x.csv", 2));
        try (BatchUpload u = BatchUpload.check(new ArrayList<>(parts), new BatchUpload.Limits(10, 10, 2))) {
            Uploads.Uploaded files = u.files();
            assertEquals(List.of("udf.jar", "../../x.csv"), new ArrayList<>(files.extras().keySet()));
            assertEquals("udf.jar", files.extras().get("udf.jar").fileName());
            assertEquals("resourceFile", files.resource().fileName());
            assertEquals("{\"batchType\":\"SPARK\"}", new String(u.batchRequest()));
        }
        assertAllDeleted(parts);
    }

    @Test
    void extraPartsBeyondTheBoundsAreRefusedNamingTheirKeyAndEveryPartIsDeleted() {
        // one more extra file than kitsune.batch.extra.resource.files.max
        List<ParsedPart> many = List.of(json(), file("resourceFile", 1), file("a.jar", 1), file("b.jar", 1));
        RestException e = assertThrows(RestException.class,
                () -> BatchUpload.check(new ArrayList<>(many), new BatchUpload.Limits(10, 10, 1)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("kitsune.batch.extra.resource.files.max"), e.getMessage());
        assertAllDeleted(many);

        // an extra file within the resource's bound but above its own
        List<ParsedPart> big = List.of(json(), file("resourceFile", 1), file("lookup.csv", 11));
        e = assertThrows(RestException.class,
                () -> BatchUpload.check(new ArrayList<>(big), new BatchUpload.Limits(100, 10, 4)));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("kyuubi.batch.extra.resource.file.max.size"), e.getMessage());
        assertAllDeleted(big);

        // the resource within the extra files' bound but above its own
        List<ParsedPart> bigResource = List.of(json(), file("resourceFile", 11), file("lookup.csv", 1));
        e = assertThrows(RestException.class,
                () -> BatchUpload.check(new ArrayList<>(bigResource), new BatchUpload.Limits(10, 100, 4)));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("kyuubi.batch.resource.file.max.size"), e.getMessage());
        assertAllDeleted(bigResource);

        // the same file name twice: which one would be the file?
        List<ParsedPart> twice = List.of(json(), file("resourceFile", 1), file("a.jar", 1), file("a.jar", 2));
        e = assertThrows(RestException.class,
                () -> BatchUpload.check(new ArrayList<>(twice), new BatchUpload.Limits(10, 10, 4)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("Duplicate part a.jar"), e.getMessage());
        assertAllDeleted(twice);

        // no extra file allowed: any other part is unexpected, as before extraResourcesMap
        List<ParsedPart> none = List.of(json(), file("resourceFile", 1), file("a.jar", 1));
        e = assertThrows(RestException.class,
                () -> BatchUpload.check(new ArrayList<>(none), new BatchUpload.Limits(10, 10, 0)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("Unexpected part a.jar"), e.getMessage());
        assertAllDeleted(none);

        // a nameless part is no extra file
        List<ParsedPart> nameless = List.of(json(), file("resourceFile", 1), file(null, 1));
        e = assertThrows(RestException.class,
                () -> BatchUpload.check(new ArrayList<>(nameless), new BatchUpload.Limits(10, 10, 4)));
        assertEquals(400, e.status());
        assertAllDeleted(nameless);
    }

    @Test
    void theServletsMultipartBoundsGrowWithTheExtraFilesWithoutOverflowing() {
        BatchUpload.Limits l = new BatchUpload.Limits(100, 1000, 16);
        assertEquals(18, l.maxParts());
        assertEquals(1000, l.parserMaxFileSize(), "the larger of both; each part is checked against its own");
        assertEquals(100 + 16 * 1000 + BatchUpload.OVERHEAD + 16 * BatchUpload.PART_OVERHEAD, l.maxRequestSize());
        assertEquals(2, new BatchUpload.Limits(100, 1000, 0).maxParts());
        assertEquals(100, new BatchUpload.Limits(100, 1000, 0).parserMaxFileSize(), "no extra file: the resource's");
        assertEquals(100 + BatchUpload.OVERHEAD, new BatchUpload.Limits(100, 1000, 0).maxRequestSize());
        assertEquals(-1, new BatchUpload.Limits(100, 0, 16).maxRequestSize(), "an unlimited extra file");
        assertEquals(-1, new BatchUpload.Limits(100, 0, 16).parserMaxFileSize());
        assertEquals(-1, new BatchUpload.Limits(0, 100, 16).maxRequestSize(), "an unlimited resource");
        assertEquals(-1, new BatchUpload.Limits(100, Long.MAX_VALUE / 8, 16).maxRequestSize(), "overflow");
        assertEquals(-1, new BatchUpload.Limits(Long.MAX_VALUE - 10, 1, 1).maxRequestSize(), "overflow");
        assertEquals(100 + BatchUpload.OVERHEAD, new BatchUpload.Limits(100, 0, 0).maxRequestSize(),
                "an unlimited extra size matters only when extra files are allowed");
    }

    @Test
    void theParsersSizeRefusalOfAnExtraFileNamesTheExtraKey() {
        final class FileSizeLimitExceededException extends IOException {
            FileSizeLimitExceededException(String field) {
                super("The field " + field + " exceeds its maximum permitted size of 10 bytes.");
            }
        }
        final class SizeLimitExceededException extends IOException {
        }
        BatchUpload.Limits l = new BatchUpload.Limits(10, 20, 4);
        RestException extra = BatchUpload.refusal(new IOException("x", new FileSizeLimitExceededException("a.jar")), l);
        assertEquals(413, extra.status());
        assertTrue(extra.getMessage().contains("kyuubi.batch.extra.resource.file.max.size"), extra.getMessage());
        RestException resource = BatchUpload.refusal(new IOException("x",
                new FileSizeLimitExceededException("resourceFile")), l);
        assertTrue(resource.getMessage().contains("(kyuubi.batch.resource.file.max.size)"), resource.getMessage());
        RestException request = BatchUpload.refusal(new IOException("x", new SizeLimitExceededException()), l);
        assertEquals(413, request.status());
        assertTrue(request.getMessage().contains("kyuubi.batch.resource.file.max.size")
                && request.getMessage().contains("kyuubi.batch.extra.resource.file.max.size"), request.getMessage());
        RestException count = BatchUpload.refusal(new IOException("x", new FileCountLimitExceededException()), l);
        assertEquals(400, count.status());
        assertTrue(count.getMessage().contains("kitsune.batch.extra.resource.files.max"), count.getMessage());
    }

    @Test
    void onlyAMultipartPostToBatchesIsAnUpload() {
        assertTrue(BatchUpload.isUpload("POST", new String[] {"batches"}, "multipart/form-data; boundary=x"));
        assertTrue(BatchUpload.isUpload("post", new String[] {"batches"}, " Multipart/Form-Data;boundary=x"));
        assertFalse(BatchUpload.isUpload("POST", new String[] {"sessions"}, "multipart/form-data; boundary=x"));
        assertFalse(BatchUpload.isUpload("POST", new String[] {"batches", "x"}, "multipart/form-data"));
        assertFalse(BatchUpload.isUpload("PUT", new String[] {"batches"}, "multipart/form-data"));
        assertFalse(BatchUpload.isUpload("POST", new String[] {"batches"}, "application/json"));
        assertFalse(BatchUpload.isUpload("POST", new String[] {"batches"}, null));
    }

    @Test
    void theLargestRequestIsTheFileAndRoomForTheBatchRequest() {
        assertEquals(100 + BatchUpload.OVERHEAD, BatchUpload.maxRequestSize(100));
        assertEquals(-1, BatchUpload.maxRequestSize(0));
        assertEquals(-1, BatchUpload.maxRequestSize(-5));
        assertEquals(-1, BatchUpload.maxRequestSize(Long.MAX_VALUE - 1));
    }

    @Test
    void theParsersSizeRefusalIs413NamingTheKey() {
        RestException e = BatchUpload.refusal(new IOException("Error parsing multipart request",
                new FileSizeLimitExceededException()), new BatchUpload.Limits(1024, 2048, 4));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("kyuubi.batch.resource.file.max.size"), e.getMessage());
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        RestException count = BatchUpload.refusal(new IOException("x", new FileCountLimitExceededException()), new BatchUpload.Limits(1, 1, 0));
        assertEquals(400, count.status());
        RestException malformed = BatchUpload.refusal(new IOException("Error parsing multipart request",
                new IOException("Stream ended unexpectedly\r\nInjected: line")), new BatchUpload.Limits(1, 1, 1));
        assertEquals(400, malformed.status());
        assertFalse(malformed.getMessage().contains("\n"), malformed.getMessage());
        assertFalse(malformed.getMessage().contains("\r"), malformed.getMessage());
    }

    @Test
    void aDisabledUploadIsRefusedNamingTheKeyBeforeAnythingIsRead() {
        RestException e = assertThrows(RestException.class, () -> BatchUpload.read(null, false, new BatchUpload.Limits(1, 1, 1)));
        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("kyuubi.batch.resource.upload.enabled=false"), e.getMessage());
    }

    @Test
    void anUploadAWebPageCouldSendIsRefusedUnlessItCarriesTheXsrfHeader() {
        RestException e = assertThrows(RestException.class,
                () -> BatchUpload.refuseFromWebPage("https://evil.example", null, null));
        assertEquals(403, e.status());
        assertThrows(RestException.class, () -> BatchUpload.refuseFromWebPage("null", null, null));
        assertThrows(RestException.class, () -> BatchUpload.refuseFromWebPage(null, "cross-site", null));
        assertDoesNotThrow(() -> BatchUpload.refuseFromWebPage("https://evil.example", "cross-site", "1"));
        assertDoesNotThrow(() -> BatchUpload.refuseFromWebPage(null, null, null));
        assertDoesNotThrow(() -> BatchUpload.refuseFromWebPage(null, "none", null));
    }
}
