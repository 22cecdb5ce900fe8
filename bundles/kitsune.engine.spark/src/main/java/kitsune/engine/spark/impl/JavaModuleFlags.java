package kitsune.engine.spark.impl;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The JVM flags a Spark version needs on Java 17 (--add-opens and friends), read from that version's own
 * spark-launcher jar, as spark-submit does. Each Spark line adds flags, so a fixed list would be wrong for some
 * home.
 */
final class JavaModuleFlags {
    /** Spark 3.5's list: the common subset, used when a home has no readable spark-launcher jar. */
    static final List<String> FALLBACK = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false");

    private final Map<Path, List<String>> cache = new ConcurrentHashMap<>();

    /** The flags for the Spark in this jars directory; cached per directory and launcher jar. */
    List<String> forJars(Path jarsDir) {
        return cache.computeIfAbsent(jarsDir, JavaModuleFlags::read);
    }

    private static List<String> read(Path jarsDir) {
        Path launcher;
        try (Stream<Path> s = Files.list(jarsDir)) {
            launcher = s.filter(p -> p.getFileName().toString().startsWith("spark-launcher_")).findFirst().orElse(null);
        } catch (IOException e) {
            return FALLBACK;
        }
        if (launcher == null) return FALLBACK;
        try (URLClassLoader cl = new URLClassLoader(new URL[] {launcher.toUri().toURL()}, null)) {
            Method m = cl.loadClass("org.apache.spark.launcher.JavaModuleOptions").getMethod("defaultModuleOptions");
            String flags = (String) m.invoke(null);
            return Arrays.stream(flags.trim().split("\\s+")).filter(f -> !f.isEmpty()).toList();
        } catch (ReflectiveOperationException | IOException | LinkageError e) {
            return FALLBACK;
        }
    }
}
