package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

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
