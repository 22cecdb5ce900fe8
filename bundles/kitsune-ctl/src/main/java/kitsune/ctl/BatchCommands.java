package kitsune.ctl;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kyuubi-ctl's batch commands over the server's {@code /api/v1/batches}: {@code create batch -f FILE}, {@code submit
 * batch -f FILE} (create, then follow the log until the batch ends; exit status 1 when it ends in ERROR or CANCELED),
 * {@code get batch ID}, {@code list batch}, {@code log batch ID [--forward]}, {@code delete batch ID}. Batches are
 * rendered as kyuubi-ctl renders them: a Key/Value report for one, a table for a list.
 */
final class BatchCommands {
    static final List<String> COLUMNS = List.of("Batch Id", "Type", "Name", "User", "State", "Batch App Info",
            "Kyuubi Instance", "Time Range");
    static final Set<String> TERMINAL = Set.of("FINISHED", "ERROR", "CANCELED");
    private static final DateTimeFormatter OPTION_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final DateTimeFormatter SHOWN_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final CtlArgs a;
    private final CtlConf conf;
    private final PrintStream out;
    private final PrintStream err;

    BatchCommands(CtlArgs a, CtlConf conf, PrintStream out, PrintStream err) {
        this.a = a;
        this.conf = conf;
        this.out = out;
        this.err = err;
    }

    int run(String action) throws CtlException {
        return switch (action) {
            case "create" -> {
                noId();
                BatchFile file = file();
                print(report(create(file)));
                yield 0;
            }
            case "submit" -> submit();
            case "get" -> {
                String id = id();
                print(report(batch(rest(null), id)));
                yield 0;
            }
            case "list" -> list();
            case "log" -> {
                String id = id();
                follow(rest(null), id, a.forward, true, null);
                yield 0;
            }
            case "delete" -> delete();
            default -> throw CtlException.usage("'" + action + " batch' is not a command: create, submit, get, list, "
                    + "log or delete batch");
        };
    }

    // ---------------------------------------------------------------- commands

    private JsonNode create(BatchFile file) throws CtlException {
        RestClient rest = rest(file.username());
        if (a.verbose || file.verbose()) {
            out.println("Submitting to " + rest.api() + "/batches as " + rest.user() + ": "
                    + file.request(rest.json()));
        }
        return rest.post("/batches", file.request(rest.json()));
    }

    private int submit() throws CtlException {
        noId();
        BatchFile file = file();
        JsonNode batch = create(file);
        String id = batch.path("id").asText();
        if (!id.matches("[A-Za-z0-9-]{1,64}")) throw CtlException.failed("The server answered no batch id: " + batch);
        out.println("Batch " + id + " submitted, state " + batch.path("state").asText() + "; following its log.");
        JsonNode end = follow(rest(file.username()), id, true, a.waitCompletion, batch);
        String state = end.path("state").asText();
        if (TERMINAL.contains(state) && !state.equals("FINISHED")) {
            err.println("Error: Batch " + id + " failed: it ended in state " + state
                    + (end.hasNonNull("appDiagnostic") && !end.get("appDiagnostic").asText().isBlank()
                    ? " (" + oneLine(end.get("appDiagnostic").asText()) + ")" : ""));
            err.print(report(end));
            return CtlException.FAILED;
        }
        print(report(end));
        return 0;
    }

    private int list() throws CtlException {
        if (a.words.size() > 2) throw CtlException.usage("Unexpected argument '" + a.words.get(2) + "' (see kitsune-ctl --help)");
        Map<String, String> q = new LinkedHashMap<>();
        q.put("batchType", blank(a.batchType) ? null : a.batchType.trim());
        q.put("batchUser", blank(a.batchUser) ? null : a.batchUser.trim());
        if (!blank(a.batchState)) {
            String s = a.batchState.trim().toUpperCase(Locale.ROOT);
            if (!List.of("PENDING", "RUNNING", "FINISHED", "ERROR", "CANCELED").contains(s)) {
                throw CtlException.usage("Invalid --batchState '" + a.batchState + "': expected PENDING, RUNNING, "
                        + "FINISHED, ERROR or CANCELED");
            }
            q.put("batchState", s);
        }
        q.put("batchName", blank(a.batchName) ? null : a.batchName.trim());
        q.put("createTime", time("--createTime", a.createTime));
        q.put("endTime", time("--endTime", a.endTime));
        q.put("from", String.valueOf(number("--from", a.from, 0, Integer.MAX_VALUE)));
        q.put("size", String.valueOf(number("--size", a.size, 100, 10_000)));
        JsonNode found = rest(null).get("/batches", q);
        List<JsonNode> batches = new ArrayList<>();
        found.path("batches").forEach(batches::add);
        if (!blank(a.batchName)) {
            // the server does not filter by name: keep the page's batches of that name
            batches.removeIf(b -> !b.path("name").asText().equals(a.batchName.trim()));
        }
        batches.sort(Comparator.comparingLong(b -> b.path("createTime").asLong()));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode b : batches) rows.add(row(b, false));
        print(Tabulator.format("Batch List (from " + found.path("from").asInt() + " total " + batches.size() + ")",
                COLUMNS, rows));
        return 0;
    }

    private int delete() throws CtlException {
        String id = id();
        RestClient rest = rest(null);
        JsonNode done;
        try {
            done = rest.delete("/batches/" + id, Map.of());
        } catch (RestClient.Refused r) {
            if (r.status == 404) throw noBatch(rest, id, r);
            throw r;
        }
        try {
            print(rest.json().writerWithDefaultPrettyPrinter().writeValueAsString(done) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            print(String.valueOf(done) + "\n");
        }
        if (done != null && !done.path("success").asBoolean(true)) {
            err.println("Warning: batch " + id + " was not canceled: " + done.path("msg").asText());
        }
        return 0;
    }

    /**
     * Prints the log from --from, page by page; when following, until the batch has ended and its last lines are
     * printed (or, without waitCompletion, until it left PENDING). Returns the batch as last read.
     */
    private JsonNode follow(RestClient rest, String id, boolean forward, boolean waitCompletion, JsonNode known)
            throws CtlException {
        int from = number("--from", a.from, 0, Integer.MAX_VALUE);
        int size = number("--size", a.size, 100, 10_000);
        Duration interval = conf.batchLogInterval();
        JsonNode batch = known;
        if (batch == null) batch = batch(rest, id);
        while (true) {
            boolean ended = TERMINAL.contains(batch.path("state").asText());
            int got = printLog(rest, id, from, size);
            from += got;
            if (!forward) return batch;
            if (got >= size && size > 0) continue;  // more lines are there: read them before waiting
            if (ended) return batch;
            if (!waitCompletion && !batch.path("state").asText().equals("PENDING")) return batch;
            LockSupport.parkNanos(interval.toNanos());
            if (Thread.interrupted()) throw CtlException.failed("Interrupted while following batch " + id);
            batch = batch(rest, id);
        }
    }

    private int printLog(RestClient rest, String id, int from, int size) throws CtlException {
        JsonNode log;
        try {
            log = rest.get("/batches/" + id + "/localLog", Map.of("from", String.valueOf(from),
                    "size", String.valueOf(size)));
        } catch (RestClient.Refused r) {
            if (r.status == 404) {
                // the batch exists (it was read) but its local log is on the server that submitted it
                throw CtlException.failed("The log of batch " + id + " is not on this server (" + rest.api()
                        + "): ask the server that submitted it (its kyuubiInstance): " + r.getMessage());
            }
            throw r;
        }
        int n = 0;
        for (JsonNode line : log.path("logRowSet")) {
            out.println(line.asText());
            n++;
        }
        out.flush();
        return n;
    }

    private static JsonNode batch(RestClient rest, String id) throws CtlException {
        try {
            return rest.get("/batches/" + id, Map.of());
        } catch (RestClient.Refused r) {
            if (r.status == 404) throw noBatch(rest, id, r);
            throw r;
        }
    }

    private static CtlException noBatch(RestClient rest, String id, RestClient.Refused r) {
        return CtlException.failed("No batch " + id + " for " + rest.user() + " at " + rest.api()
                + " (an unknown id, or another user's batch): " + r.getMessage());
    }

    // ---------------------------------------------------------------- rendering

    /** kyuubi-ctl's batch report: a Key/Value table titled with the batch id. */
    static String report(JsonNode b) {
        List<String> values = row(b, true);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < COLUMNS.size(); i++) rows.add(List.of(COLUMNS.get(i), values.get(i)));
        return Tabulator.format("Batch Report (" + b.path("id").asText() + ")", List.of("Key", "Value"), rows);
    }

    static List<String> row(JsonNode b, boolean diagnostic) {
        List<String> app = new ArrayList<>();
        if (b.hasNonNull("appId")) app.add("App Id: " + b.get("appId").asText());
        if (b.hasNonNull("appUrl")) app.add("App Url: " + b.get("appUrl").asText());
        if (b.hasNonNull("appState")) app.add("App State: " + b.get("appState").asText());
        if (diagnostic && b.hasNonNull("appDiagnostic") && !b.get("appDiagnostic").asText().isEmpty()) {
            app.add("App Diagnostic: " + b.get("appDiagnostic").asText());
        }
        return java.util.Arrays.asList(text(b, "id"), text(b, "batchType"), text(b, "name"), text(b, "user"),
                text(b, "state"), String.join("\n", app), text(b, "kyuubiInstance"),
                shown(b.path("createTime").asLong()) + "\n~\n" + shown(b.path("endTime").asLong()));
    }

    private static String text(JsonNode b, String field) {
        return b.hasNonNull(field) ? b.get(field).asText() : null;
    }

    private static String shown(long millis) {
        return millis <= 0 ? "" : SHOWN_TIME.withZone(ZoneId.systemDefault()).format(java.time.Instant.ofEpochMilli(millis));
    }

    // ---------------------------------------------------------------- options

    private RestClient rest(String fileUser) throws CtlException {
        return RestClient.of(a, conf, fileUser);
    }

    private BatchFile file() throws CtlException {
        if (blank(a.filename)) {
            throw CtlException.usage("Must specify the batch file: " + a.words.get(0) + " batch -f <file.yaml>");
        }
        return BatchFile.read(Path.of(a.filename.trim()));
    }

    private void noId() throws CtlException {
        if (a.words.size() > 2) {
            throw CtlException.usage("Unexpected argument '" + a.words.get(2) + "': " + a.words.get(0)
                    + " batch takes the batch from -f <file.yaml>");
        }
    }

    /** The batch id word; an id is what the server hands out (a UUID), nothing that could change the URL path. */
    private String id() throws CtlException {
        String action = a.words.get(0);
        if (a.words.size() < 3) throw CtlException.usage("Must specify the batch: " + action + " batch <batch id>");
        if (a.words.size() > 3) throw CtlException.usage("Unexpected argument '" + a.words.get(3) + "' (see kitsune-ctl --help)");
        String id = a.words.get(2).trim();
        if (!id.matches("[A-Za-z0-9-]{1,64}")) {
            throw CtlException.usage("Invalid batch id '" + id + "': expected the id create batch or list batch shows");
        }
        return id;
    }

    static String time(String option, String value) throws CtlException {
        if (blank(value)) return null;
        try {
            return String.valueOf(LocalDateTime.parse(value.trim(), OPTION_TIME).atZone(ZoneId.systemDefault())
                    .toInstant().toEpochMilli());
        } catch (DateTimeParseException e) {
            throw CtlException.usage("Invalid " + option + " '" + value + "': expected yyyyMMddHHmmss, e.g. 20261207093000");
        }
    }

    static int number(String option, String value, int def, int max) throws CtlException {
        if (blank(value)) return def;
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0 && n <= max) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw CtlException.usage("Invalid " + option + " '" + value + "': expected a whole number from 0 to " + max);
    }

    private void print(String s) {
        out.print(s);
        out.flush();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
