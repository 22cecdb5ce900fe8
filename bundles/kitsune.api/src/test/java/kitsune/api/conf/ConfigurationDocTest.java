package kitsune.api.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The key table of docs/configuration.md is generated from {@link ConfigKeys}, the one source of every key, default
 * and meaning: this test renders it and fails while the doc differs, leaving the rendered table in
 * target/configuration-keys.md to paste.
 */
class ConfigurationDocTest {
    static final String HEADER = "| key | default | allowed | applies | meaning |";

    static List<String> table() {
        List<String> rows = new ArrayList<>();
        rows.add(HEADER);
        rows.add("|---|---|---|---|---|");
        for (ConfigKey<?> k : ConfigKeys.all().values()) {
            String def = k.defaultValue() == null || k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
            if (k.defaultValue() == null) def = "(none)";
            rows.add("| `" + k.name() + "` | " + def + " | " + k.type().allowed() + " | "
                    + (k.restartNeeded() ? "restart" : "live") + " | " + k.doc().replace("|", "\\|") + " |");
        }
        return rows;
    }

    @Test
    void theKeyTableIsTheCatalogue() throws Exception {
        List<String> doc = Files.readAllLines(Path.of("../../docs/configuration.md"));
        int start = doc.indexOf(HEADER);
        List<String> documented = new ArrayList<>();
        for (int i = Math.max(start, 0); start >= 0 && i < doc.size() && doc.get(i).startsWith("|"); i++) {
            documented.add(doc.get(i));
        }
        List<String> expected = table();
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target/configuration-keys.md"), expected);
        assertEquals(String.join("\n", expected), String.join("\n", documented),
                "docs/configuration.md's key table differs from ConfigKeys: paste target/configuration-keys.md");
    }
}
