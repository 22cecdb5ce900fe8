package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A batch upload's extraResourcesMap as Kyuubi's client sends it: which keys it may name, how its file names are
 * read, that the uploaded parts are exactly the listed files, and how the stored paths reach the batch's conf.
 */
class BatchExtraResourcesTest {
    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void kyuubisBatchRequestWithExtraResourcesParses() throws Exception {
        Dto.BatchRequest r = new ObjectMapper().readValue("{\"batchType\":\"SPARK\",\"className\":\"a.B\","
                + "\"extraResourcesMap\":{\"spark.jars\":\"udf.jar,lib.jar\",\"spark.files\":\"lookup.csv\"}}",
                Dto.BatchRequest.class);
        assertEquals(map("spark.jars", "udf.jar,lib.jar", "spark.files", "lookup.csv"), r.extraResourcesMap());
    }

    @Test
    void theListedFilesAreReadByKeyTrimmedAndWithoutBlanks() throws Exception {
        Map<String, List<String>> m = Batches.extraResources(map("spark.jars", " udf.jar, ,lib.jar,",
                "spark.files", "../../etc/passwd", "spark.archives", " "), 16);
        assertEquals(Map.of("spark.jars", List.of("udf.jar", "lib.jar"), "spark.files", List.of("../../etc/passwd")),
                m);
        assertEquals(List.of("spark.jars", "spark.files"), List.copyOf(m.keySet()), "the request's order");
        assertEquals(Map.of(), Batches.extraResources(null, 16));
        assertEquals(Map.of(), Batches.extraResources(Map.of(), 0));
    }

    @Test
    void aKeyOtherThanTheThreeFileKeysIsRefusedNamingItAndTheAllowedOnes() {
        for (String key : List.of("spark.driver.extraClassPath", "spark.yarn.dist.jars", "spark.submit.pyFiles",
                "spark.jars.packages", "SPARK.JARS", "kyuubi.batch.resource.dirs")) {
            RestException e = assertThrows(RestException.class,
                    () -> Batches.extraResources(map(key, "a.jar"), 16), key);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains(key) && e.getMessage().contains("spark.jars, spark.files, "
                    + "spark.archives"), e.getMessage());
        }
    }

    @Test
    void namesThatWouldConfuseThePartsOrTheLogAreRefused() {
        RestException twice = assertThrows(RestException.class,
                () -> Batches.extraResources(map("spark.jars", "a.jar", "spark.files", "a.jar"), 16));
        assertEquals(400, twice.status());
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        assertEquals(400, assertThrows(RestException.class,
                () -> Batches.extraResources(map("spark.files", "resourceFile"), 16)).status());
        assertEquals(400, assertThrows(RestException.class,
                () -> Batches.extraResources(map("spark.files", "batchRequest"), 16)).status());
        RestException control = assertThrows(RestException.class,
                () -> Batches.extraResources(map("spark.files", "a\r\nInjected: x"), 16));
        assertFalse(control.getMessage().contains("\n"), control.getMessage());
        assertEquals(400, assertThrows(RestException.class,
                () -> Batches.extraResources(map("spark.files", "x".repeat(1025)), 16)).status());
        assertEquals(400, assertThrows(RestException.class,
                () -> Batches.extraResources(map("spark.files", null), 16)).status());
    }

    @Test
    void moreFilesThanAllowedAreRefusedNamingTheKey() throws Exception {
        RestException e = assertThrows(RestException.class,
                () -> Batches.extraResources(map("spark.jars", "a.jar,b.jar", "spark.files", "c.txt"), 2));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("kitsune.batch.extra.resource.files.max"), e.getMessage());
        assertEquals(2, Batches.extraResources(map("spark.jars", "a.jar", "spark.files", "c.txt"), 2).size());
    }

    @Test
    void theUploadedPartsMustBeExactlyTheListedFiles() throws Exception {
        Map<String, List<String>> listed = Map.of("spark.jars", List.of("a.jar", "b.jar"), "spark.files",
                List.of("c.csv"));
        Batches.checkExtraParts(listed, Set.of("a.jar", "b.jar", "c.csv"));
        RestException missing = assertThrows(RestException.class,
                () -> Batches.checkExtraParts(new LinkedHashMap<>(Map.of("spark.jars", List.of("a.jar", "b.jar"))),
                        Set.of()));
        assertEquals(400, missing.status());
        assertEquals("required extra resource files [a.jar,b.jar] are not uploaded in the multipart form data",
                missing.getMessage());
        RestException unlisted = assertThrows(RestException.class,
                () -> Batches.checkExtraParts(listed, Set.of("a.jar", "b.jar", "c.csv", "d.jar")));
        assertEquals(400, unlisted.status());
        assertTrue(unlisted.getMessage().startsWith("Unexpected part d.jar"), unlisted.getMessage());
        assertThrows(RestException.class, () -> Batches.checkExtraParts(Map.of(), Set.of("d.jar")));
    }

    @Test
    void theStoredPathsAreSetOrAppendedToTheRequestsOwnValue() {
        Map<String, String> conf = map("spark.jars", "/opt/udf/base.jar", "spark.executor.memory", "1g");
        Map<String, List<String>> extras = new LinkedHashMap<>();
        extras.put("spark.jars", List.of("a.jar", "b.jar"));
        extras.put("spark.files", List.of("c.csv"));
        Map<String, String> out = Batches.withExtras(conf, extras, List.of(Path.of("/w/upload/x/extra-1.jar"),
                Path.of("/w/upload/x/extra-2.jar"), Path.of("/w/upload/x/extra-3.csv")));
        assertEquals("/opt/udf/base.jar,/w/upload/x/extra-1.jar,/w/upload/x/extra-2.jar", out.get("spark.jars"));
        assertEquals("/w/upload/x/extra-3.csv", out.get("spark.files"));
        assertEquals("1g", out.get("spark.executor.memory"));
        assertEquals("/opt/udf/base.jar", conf.get("spark.jars"), "the screened conf itself is unchanged");
        assertSame(conf, Batches.withExtras(conf, Map.of(), List.of()));
    }
}
