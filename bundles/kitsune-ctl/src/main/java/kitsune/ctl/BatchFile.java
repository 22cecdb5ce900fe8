package kitsune.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The batch file of {@code create batch -f} and {@code submit batch -f}, in kyuubi-ctl's format:
 *
 * <pre>
 * apiVersion: v1
 * username: alice            # the REST login when --username is not given
 * request:
 *   batchType: SPARK
 *   name: pi
 *   resource: /data/apps/pi.jar
 *   className: org.example.Pi
 *   args: [100]
 *   configs:
 *     spark.executor.memory: 2g
 * options:
 *   verbose: true
 * </pre>
 *
 * The file is hostile input: it is read up to {@link #MAX_BYTES}, through Jackson's YAML parser (no Java types, no
 * code), and every field is checked for its shape; a problem is one line naming the file and the field.
 */
record BatchFile(String apiVersion, String username, String batchType, String name, String resource,
        String className, List<String> args, Map<String, String> configs, boolean verbose) {
    static final long MAX_BYTES = 1 << 20;

    /** The body of {@code POST /batches}: Kyuubi's BatchRequest. */
    ObjectNode request(ObjectMapper json) {
        ObjectNode r = json.createObjectNode();
        r.put("batchType", batchType);
        r.put("resource", resource);
        if (className != null) r.put("className", className);
        if (name != null) r.put("name", name);
        ObjectNode conf = r.putObject("conf");
        configs.forEach(conf::put);
        args.forEach(r.putArray("args")::add);
        return r;
    }

    static BatchFile read(Path file) throws CtlException {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) throw CtlException.usage("Batch file " + file + " is a directory, not a YAML file");
            if (Files.size(file) > MAX_BYTES) {
                throw CtlException.usage("Batch file " + file + " is larger than " + MAX_BYTES + " bytes: not a batch file");
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw CtlException.usage("Batch file " + file + " does not exist (-f/--filename)");
        } catch (IOException e) {
            throw CtlException.usage("Cannot read batch file " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), bytes);
    }

    /** @param source the file's name, for the messages */
    static BatchFile parse(String source, byte[] yaml) throws CtlException {
        if (yaml.length > MAX_BYTES) {
            throw CtlException.usage("Batch file " + source + " is larger than " + MAX_BYTES + " bytes: not a batch file");
        }
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw CtlException.usage("Malformed YAML in batch file " + source + where + ": "
                    + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw CtlException.usage("Cannot read batch file " + source + ": " + oneLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw CtlException.usage("Batch file " + source + " is empty: expected apiVersion, username, request and options");
        }
        if (!root.isObject()) throw field(source, "(top level)", "expected a mapping with apiVersion, request, ...");

        String apiVersion = text(source, root, "apiVersion", "apiVersion");
        if (apiVersion != null && !apiVersion.equals("v1")) {
            throw field(source, "apiVersion", "unsupported version '" + apiVersion + "', expected v1");
        }
        String username = text(source, root, "username", "username");
        JsonNode request = root.get("request");
        if (request == null || request.isNull()) throw field(source, "request", "missing");
        if (!request.isObject()) throw field(source, "request", "expected a mapping with batchType, resource, ...");

        // Kyuubi's first release of the format had batchType beside request
        String batchType = text(source, request, "batchType", "request.batchType");
        if (batchType == null) batchType = text(source, root, "batchType", "batchType");
        if (batchType == null || batchType.isBlank()) throw field(source, "request.batchType", "missing (e.g. SPARK)");
        String resource = text(source, request, "resource", "request.resource");
        if (resource == null || resource.isBlank()) {
            throw field(source, "request.resource", "missing (the application jar on the server)");
        }
        String className = text(source, request, "className", "request.className");
        String name = text(source, request, "name", "request.name");

        List<String> args = new ArrayList<>();
        JsonNode a = request.get("args");
        if (a != null && !a.isNull()) {
            if (!a.isArray()) throw field(source, "request.args", "expected a list");
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (!v.isValueNode() || v.isNull()) {
                    throw field(source, "request.args[" + i + "]", "expected a single value");
                }
                args.add(v.asText());
            }
        }
        Map<String, String> configs = new LinkedHashMap<>();
        JsonNode c = request.get("configs");
        if (c != null && !c.isNull()) {
            if (!c.isObject()) throw field(source, "request.configs", "expected a mapping of keys to values");
            for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().isBlank()) throw field(source, "request.configs", "a key is empty");
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw field(source, "request.configs." + e.getKey(), "expected a single value");
                }
                configs.put(e.getKey(), e.getValue().asText());
            }
        }
        boolean verbose = false;
        JsonNode options = root.get("options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) throw field(source, "options", "expected a mapping");
            JsonNode v = options.get("verbose");
            if (v != null && !v.isNull()) {
                String s = v.asText().toLowerCase(Locale.ROOT);
                if (!v.isBoolean() && !s.equals("true") && !s.equals("false")) {
                    throw field(source, "options.verbose", "expected true or false, not '" + v.asText() + "'");
                }
                verbose = v.isBoolean() ? v.booleanValue() : Boolean.parseBoolean(s);
            }
        }
        return new BatchFile(apiVersion, username, batchType.trim(), name, resource.trim(),
                className == null ? null : className.trim(), List.copyOf(args), configs, verbose);
    }

    private static String text(String source, JsonNode parent, String key, String field) throws CtlException {
        JsonNode v = parent.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) throw field(source, field, "expected a single value");
        return v.asText();
    }

    private static CtlException field(String source, String field, String problem) {
        return CtlException.usage("Batch file " + source + ": field " + field + ": " + problem);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
