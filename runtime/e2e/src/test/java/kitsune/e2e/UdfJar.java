package kitsune.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds a one-class Hive UDF jar (upper-cases a string) against the Hive classes of an engine home. */
final class UdfJar {
    static final String CLASS_NAME = "KitsuneUpper";

    private UdfJar() {
    }

    static Path build(Path dir, Path homeJars) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src")).resolve(CLASS_NAME + ".java");
        Files.writeString(src, "public class " + CLASS_NAME + " extends org.apache.hadoop.hive.ql.exec.UDF {\n"
                + "  public String evaluate(String s) { return s == null ? null : s.toUpperCase(); }\n}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // the compiler API does not expand "dir/*" class paths as the launchers do
        String cp;
        try (Stream<Path> jars = Files.list(homeJars)) {
            cp = jars.map(Path::toString).filter(j -> j.contains("hive-exec")).collect(Collectors.joining(File.pathSeparator));
        }
        int rc = javac.run(null, null, null, "--release", "17", "-cp", cp, "-d", classes.toString(), src.toString());
        if (rc != 0) throw new IOException("javac failed with " + rc);
        Path jar = dir.resolve("kitsune-udf.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(CLASS_NAME + ".class"));
            out.write(Files.readAllBytes(classes.resolve(CLASS_NAME + ".class")));
            out.closeEntry();
        }
        return jar;
    }
}
