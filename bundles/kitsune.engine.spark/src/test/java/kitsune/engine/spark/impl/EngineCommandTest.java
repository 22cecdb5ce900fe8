package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class EngineCommandTest {
    @Test
    void commandPutsEngineJarFirstAndHomeJarsLast() {
        List<String> cmd = EngineCommand.build(Path.of("/j/bin/java"), List.of("--add-opens=x"), "2g", "", "",
                Path.of("/k/lib/e.jar"), List.of("/k/udf.jar"), Path.of("/h/jars"), Path.of("/w/e.properties"));
        assertEquals(List.of("/j/bin/java", "--add-opens=x", "-Xmx2g", "-cp", "/k/lib/e.jar:/k/udf.jar:/h/jars/*",
                EngineCommand.MAIN_CLASS, "/w/e.properties"), cmd);
    }

    @Test
    void theDriversJavaOptionsAndClassPathReachALocalEngineAsSparkSubmitWouldPassThem() {
        List<String> cmd = EngineCommand.build(Path.of("/j/bin/java"), List.of(), "1g",
                "-XX:+UseParallelGC -Dlog.name='engine one' \"-Da=b c\"", "/opt/udf/*", Path.of("/k/lib/e.jar"),
                List.of(), Path.of("/h/jars"), Path.of("/w/e.properties"));
        assertEquals(List.of("/j/bin/java", "-Xmx1g", "-XX:+UseParallelGC", "-Dlog.name=engine one", "-Da=b c", "-cp",
                "/k/lib/e.jar:/opt/udf/*:/h/jars/*", EngineCommand.MAIN_CLASS, "/w/e.properties"), cmd);
    }

    @Test
    void javaOptionsSplitOnWhiteSpaceOutsideQuotesAndRefuseAnUnclosedQuote() {
        assertEquals(List.of(), EngineCommand.splitOptions("  "));
        assertEquals(List.of("-Da=x y", "-Db=", "-Dc=\\"), EngineCommand.splitOptions(" -Da=x\\ y  '-Db=' -Dc=\\\\ "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineCommand.splitOptions("-Da='x"));
        assertEquals("Invalid value for spark.driver.extraJavaOptions: unclosed quote in '-Da='x'", e.getMessage());
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
