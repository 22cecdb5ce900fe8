package kitsune.testkit;

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

/**
 * Builds a one-class Spark application jar against an engine home's jars: it counts a range of N rows, prints its
 * application id and the count, sleeps the given seconds, and fails on purpose when asked. Arguments:
 * {@code <rows> [<seconds to sleep> [fail]]}.
 */
public final class BatchApp {
    public static final String CLASS_NAME = "KitsuneBatchApp";
    public static final String FAILURE = "KitsuneBatchApp failed on purpose";

    private BatchApp() {
    }

    public static Path build(Path dir, Path homeJars) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src")).resolve(CLASS_NAME + ".java");
        Files.writeString(src, "public class " + CLASS_NAME + " {\n"
                + "  public static void main(String[] a) throws Exception {\n"
                + "    org.apache.spark.sql.SparkSession s = org.apache.spark.sql.SparkSession.builder().getOrCreate();\n"
                + "    System.out.println(\"applicationId=\" + s.sparkContext().applicationId());\n"
                + "    long n = s.range(Long.parseLong(a[0])).count();\n"
                + "    System.out.println(\"Counted \" + n + \" rows\");\n"
                + "    if (a.length > 1) Thread.sleep(Long.parseLong(a[1]) * 1000L);\n"
                + "    s.stop();\n"
                + "    if (a.length > 2 && a[2].equals(\"fail\")) throw new IllegalStateException(\"" + FAILURE + "\");\n"
                + "  }\n}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String cp;
        try (Stream<Path> jars = Files.list(homeJars)) {
            cp = jars.map(Path::toString).filter(j -> j.contains("spark-") || j.contains("scala-library"))
                    .collect(Collectors.joining(File.pathSeparator));
        }
        int rc = javac.run(null, null, null, "--release", "17", "-cp", cp, "-d", classes.toString(), src.toString());
        if (rc != 0) throw new IOException("javac failed with " + rc);
        Path jar = dir.resolve("kitsune-batch-app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(CLASS_NAME + ".class"));
            out.write(Files.readAllBytes(classes.resolve(CLASS_NAME + ".class")));
            out.closeEntry();
        }
        return jar;
    }
}
