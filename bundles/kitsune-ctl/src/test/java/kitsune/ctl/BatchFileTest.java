package kitsune.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** kyuubi-ctl's batch file: what it reads, and a one-line refusal naming the file and the field for what it does not. */
class BatchFileTest {
    static final String KYUUBI_EXAMPLE = """
            apiVersion: v1
            username: alice
            request:
              batchType: Spark
              name: LocalSparkPi
              resource: /data/apps/spark-examples.jar
              className: org.apache.spark.examples.SparkPi
              args:
               - 10
               - "x y"
              configs:
                spark.master: local
                spark.executor.instances: 2
                wait.completion: true
            options:
              verbose: true
            """;

    @TempDir
    Path dir;

    @Test
    void kyuubisExampleFileBecomesTheBatchRequestWithArgsAndConfigsAsText() throws Exception {
        BatchFile f = BatchFile.parse("job.yaml", KYUUBI_EXAMPLE.getBytes(StandardCharsets.UTF_8));
        assertEquals("v1", f.apiVersion());
        assertEquals("alice", f.username());
        assertEquals("Spark", f.batchType());
        assertEquals("LocalSparkPi", f.name());
        assertEquals("/data/apps/spark-examples.jar", f.resource());
        assertEquals("org.apache.spark.examples.SparkPi", f.className());
        assertEquals(List.of("10", "x y"), f.args());
        assertEquals(Map.of("spark.master", "local", "spark.executor.instances", "2", "wait.completion", "true"),
                f.configs());
        assertTrue(f.verbose());

        JsonNode body = f.request(new ObjectMapper());
        assertEquals("Spark", body.get("batchType").asText());
        assertEquals("2", body.get("conf").get("spark.executor.instances").asText());
        assertTrue(body.get("conf").get("spark.executor.instances").isTextual());
        assertEquals("10", body.get("args").get(0).asText());
        assertTrue(body.get("args").get(0).isTextual());
        assertFalse(body.has("username"), "the login is not part of the request");
    }

    @Test
    void theFirstFormatWithBatchTypeBesideRequestAndAFileWithoutOptionsAreRead() throws Exception {
        BatchFile f = BatchFile.parse("old.yaml", """
                batchType: SPARK
                request:
                  resource: /a.jar
                """.getBytes(StandardCharsets.UTF_8));
        assertEquals("SPARK", f.batchType());
        assertNull(f.className());
        assertNull(f.username());
        assertEquals(List.of(), f.args());
        assertEquals(Map.of(), f.configs());
        assertFalse(f.verbose());
    }

    @Test
    void aMissingFileNamesTheFileAndTheOption() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        CtlException e = assertThrows(CtlException.class, () -> BatchFile.read(missing));
        assertEquals("Batch file " + missing + " does not exist (-f/--filename)", e.getMessage());
        assertEquals(CtlException.USAGE, e.exitCode());
    }

    @Test
    void malformedYamlNamesTheFileAndTheLine() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), "request:\n  resource: /a.jar\n   batchType: [SPARK\n");
        CtlException e = assertThrows(CtlException.class, () -> BatchFile.read(f));
        assertTrue(e.getMessage().startsWith("Malformed YAML in batch file " + f + " at line "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void eachMissingOrMisshapenFieldIsNamed() {
        assertField("", "Batch file j.yaml is empty: expected apiVersion, username, request and options");
        assertField("- a\n- b\n", "Batch file j.yaml: field (top level): expected a mapping with apiVersion, request, ...");
        assertField("apiVersion: v1\n", "Batch file j.yaml: field request: missing");
        assertField("apiVersion: v2\nrequest: {}\n", "Batch file j.yaml: field apiVersion: unsupported version 'v2', expected v1");
        assertField("request: x\n", "Batch file j.yaml: field request: expected a mapping with batchType, resource, ...");
        assertField("request:\n  resource: /a.jar\n", "Batch file j.yaml: field request.batchType: missing (e.g. SPARK)");
        assertField("request:\n  batchType: SPARK\n",
                "Batch file j.yaml: field request.resource: missing (the application jar on the server)");
        assertField("request:\n  batchType: SPARK\n  resource: [a, b]\n",
                "Batch file j.yaml: field request.resource: expected a single value");
        assertField("request:\n  batchType: SPARK\n  resource: /a.jar\n  args: 10\n",
                "Batch file j.yaml: field request.args: expected a list");
        assertField("request:\n  batchType: SPARK\n  resource: /a.jar\n  args: [1, {a: b}]\n",
                "Batch file j.yaml: field request.args[1]: expected a single value");
        assertField("request:\n  batchType: SPARK\n  resource: /a.jar\n  configs: [a]\n",
                "Batch file j.yaml: field request.configs: expected a mapping of keys to values");
        assertField("request:\n  batchType: SPARK\n  resource: /a.jar\n  configs:\n    spark.x: {y: 1}\n",
                "Batch file j.yaml: field request.configs.spark.x: expected a single value");
        assertField("request:\n  batchType: SPARK\n  resource: /a.jar\noptions:\n  verbose: maybe\n",
                "Batch file j.yaml: field options.verbose: expected true or false, not 'maybe'");
    }

    @Test
    void hostileFilesAreRefusedWithoutInstantiatingAnything() throws Exception {
        // a Java type tag is not honoured: the tagged value is plain data (here a list, refused for its shape)
        CtlException tagged = assertThrows(CtlException.class, () -> BatchFile.parse("t.yaml",
                ("request:\n  batchType: SPARK\n  resource: /a.jar\n"
                + "  name: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL "
                + "[\"http://127.0.0.1:1/x.jar\"]]]]\n").getBytes(StandardCharsets.UTF_8)));
        assertEquals("Batch file t.yaml: field request.name: expected a single value", tagged.getMessage());
        // an alias bomb is not expanded (the alias stays a reference, refused for its shape)
        StringBuilder bomb = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char p = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*")
                    .append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*")
                    .append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append("]\n");
        }
        bomb.append("request:\n  batchType: SPARK\n  resource: /a.jar\n  args: *j\n");
        CtlException e = assertThrows(CtlException.class,
                () -> BatchFile.parse("bomb.yaml", bomb.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals("Batch file bomb.yaml: field request.args: expected a list", e.getMessage());
        // a file too large to be a batch file is not read
        Path big = dir.resolve("big.yaml");
        Files.write(big, new byte[(int) BatchFile.MAX_BYTES + 1]);
        CtlException tooBig = assertThrows(CtlException.class, () -> BatchFile.read(big));
        assertEquals("Batch file " + big + " is larger than 1048576 bytes: not a batch file", tooBig.getMessage());
    }

    private static void assertField(String yaml, String message) {
        CtlException e = assertThrows(CtlException.class,
                () -> BatchFile.parse("j.yaml", yaml.getBytes(StandardCharsets.UTF_8)));
        assertEquals(message, e.getMessage());
        assertEquals(CtlException.USAGE, e.exitCode());
    }
}
