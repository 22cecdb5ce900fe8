package kitsune.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs bin/kitsune-ctl as an operator does, with a server's KITSUNE_CONF_DIR, bounded by a timeout. */
public final class KitsuneCtl {
    public static final Path CTL = KitsuneServer.HOME.resolve("bin/kitsune-ctl");

    /** Exit code, standard output and standard error of one run. */
    public record Run(int rc, String out, String err) {
    }

    private KitsuneCtl() {
    }

    /** @param dir where the run's output files go */
    public static Run run(Path confDir, Path dir, String... args) throws Exception {
        return run(java.util.Map.of(), confDir, dir, args);
    }

    /** @param env extra environment, e.g. KITSUNE_CTL_JAVA_OPTS=-Djava.security.krb5.conf=… */
    public static Run run(java.util.Map<String, String> env, Path confDir, Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(CTL.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "ctl", ".out");
        Path err = Files.createTempFile(dir, "ctl", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("KITSUNE_CONF_DIR", confDir.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kitsune-ctl " + String.join(" ", args) + " did not finish within 60 s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
