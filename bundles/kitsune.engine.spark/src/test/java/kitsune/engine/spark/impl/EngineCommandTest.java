package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class EngineCommandTest {
    @Test
    void commandPutsEngineJarFirstAndHomeJarsLast() {
        List<String> cmd = EngineCommand.build(Path.of("/j/bin/java"), List.of("--add-opens=x"), "2g",
                Path.of("/k/lib/e.jar"), List.of("/k/udf.jar"), Path.of("/h/jars"), Path.of("/w/e.properties"));
        assertEquals(List.of("/j/bin/java", "--add-opens=x", "-Xmx2g", "-cp", "/k/lib/e.jar:/k/udf.jar:/h/jars/*",
                EngineCommand.MAIN_CLASS, "/w/e.properties"), cmd);
    }

    @Test
    void sparkMemoryStringsBecomeJvmSizes() {
        assertEquals("1g", EngineCommand.jvmMemory("1g"));
        assertEquals("512m", EngineCommand.jvmMemory("512mb"));
        assertEquals("2048m", EngineCommand.jvmMemory("2048"));
        assertThrows(IllegalArgumentException.class, () -> EngineCommand.jvmMemory("lots"));
    }

    @Test
    void moduleFlagsFallBackWhenTheHomeHasNoLauncherJar() {
        assertEquals(JavaModuleFlags.FALLBACK, new JavaModuleFlags().forJars(Path.of("/nonexistent")));
    }
}
