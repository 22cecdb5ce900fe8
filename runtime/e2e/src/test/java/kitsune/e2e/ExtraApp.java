package kitsune.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a batch application in two jars: the main class calls a class that only the second jar (given to the batch
 * through spark.jars) holds, prints its greeting with the first argument, then prints each file of spark.files
 * (spark-submit sets the driver's spark.* system properties in client mode) as "file &lt;name&gt;: &lt;content&gt;".
 */
final class ExtraApp {
    static final String MAIN = "KitsuneExtraMain";
    static final String LIB = "KitsuneExtraLib";
    static final String LIB_JAR = "kitsune-extra-lib.jar";
    static final String GREETING = "Greeting from the extra jar";

    record Jars(Path main, Path lib) {
    }

    private ExtraApp() {
    }

    static Jars build(Path dir) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve(LIB + ".java"), "public class " + LIB + " {\n"
                + "  public static String greeting() { return \"" + GREETING + "\"; }\n}\n");
        Files.writeString(src.resolve(MAIN + ".java"), "public class " + MAIN + " {\n"
                + "  public static void main(String[] a) throws Exception {\n"
                + "    System.out.println(" + LIB + ".greeting() + \" \" + a[0]);\n"
                + "    String files = System.getProperty(\"spark.files\", \"\");\n"
                + "    for (String f : files.split(\",\")) {\n"
                + "      if (f.isBlank()) continue;\n"
                + "      java.nio.file.Path p = java.nio.file.Path.of(f.replaceFirst(\"^file:\", \"\"));\n"
                + "      System.out.println(\"file \" + p.getFileName() + \": \" + java.nio.file.Files.readString(p).trim());\n"
                + "    }\n"
                + "  }\n}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "17", "-d", classes.toString(),
                src.resolve(LIB + ".java").toString(), src.resolve(MAIN + ".java").toString());
        if (rc != 0) throw new IOException("javac failed with " + rc);
        return new Jars(jar(classes, MAIN, dir.resolve("kitsune-extra-main.jar")),
                jar(classes, LIB, dir.resolve(LIB_JAR)));
    }

    private static Path jar(Path classes, String className, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(className + ".class"));
            out.write(Files.readAllBytes(classes.resolve(className + ".class")));
            out.closeEntry();
        }
        return jar;
    }
}
