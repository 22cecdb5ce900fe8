package kitsune.api.conf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** docs/configuration.md must document every key the server understands. */
class ConfigurationDocTest {
    @Test
    void everyKeyIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("../../docs/configuration.md"));
        List<String> missing = ConfigKeys.all().keySet().stream().filter(k -> !doc.contains("| `" + k + "` |")).toList();
        assertTrue(missing.isEmpty(), "Add to docs/configuration.md: " + missing);
    }
}
