package kitsune.engine.spark.impl;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.engine.EngineException;
import kitsune.internal.threads.NamedThreads;

/**
 * An engine user's delegation tokens on a Kerberized Hadoop cluster, obtained by the server's principal (a proxy user
 * for the engine's user) through a short-lived JVM on the engine home's jars, which hold Hadoop's client
 * ({@code kitsune.engine.spark.DelegationTokenFetch} in the engine jar): Hadoop never enters the server's framework.
 * The tokens go to an owner-only file in the engine's owner-only work directory; the engine is started with
 * {@code HADOOP_TOKEN_FILE_LOCATION} naming it.
 */
final class DelegationTokens {
    static final String FETCH_CLASS = "kitsune.engine.spark.DelegationTokenFetch";
    static final String ENV = "HADOOP_TOKEN_FILE_LOCATION";
    private static final String OK = "KITSUNE-TOKENS ";
    private static final String OFF = "KITSUNE-TOKENS-OFF";
    private static final String FAILED = "KITSUNE-TOKENS-FAILED ";

    /** What one fetch gave: how many tokens, the earliest expiry (epoch ms, -1 unknown), their kinds and services. */
    record Obtained(Path file, int count, long expiryMillis, String services) {
    }

    private DelegationTokens() {
    }

    /**
     * True when the server should obtain tokens for an engine of that user: it holds a keytab login
     * (kyuubi.kinit.principal/keytab), the engine runs as another user (doAs) and some token is wanted.
     */
    static boolean wanted(KitsuneConf conf, String proxyUser) {
        return proxyUser != null && !conf.get(ConfigKeys.KINIT_PRINCIPAL).isBlank()
                && !conf.get(ConfigKeys.KINIT_KEYTAB).isBlank()
                && (conf.get(ConfigKeys.CREDENTIALS_HADOOPFS_ENABLED) || conf.get(ConfigKeys.CREDENTIALS_HIVE_ENABLED));
    }

    /** The token file of one engine launch, in its work directory. */
    static Path file(Path workDir, String refId) {
        return workDir.resolve("hadoop-tokens-" + refId);
    }

    /**
     * Obtains the user's tokens into {@code file} (replacing it in one move). Empty when the engine home's Hadoop
     * configuration is not Kerberized (no tokens needed).
     *
     * @param classPath the fetching JVM's class path: the engine jar, Hadoop's configuration directory, the home's jars
     * @param env       the engine's environment (HADOOP_CONF_DIR, ...)
     */
    static Optional<Obtained> obtain(KitsuneConf conf, String user, Path file, Path java, List<String> classPath,
            Map<String, String> env) throws EngineException {
        Path log = file.resolveSibling(file.getFileName() + ".log");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        String krb5 = System.getProperty("java.security.krb5.conf");
        if (krb5 != null) cmd.add("-Djava.security.krb5.conf=" + krb5);
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classPath));
        cmd.add(FETCH_CLASS);
        List<String> uris = conf.get(ConfigKeys.CREDENTIALS_HADOOPFS_URIS);
        String metastore = metastoreUris(conf);
        cmd.addAll(List.of(file.toString(), user, conf.get(ConfigKeys.KINIT_PRINCIPAL).trim(),
                conf.get(ConfigKeys.KINIT_KEYTAB).trim(),
                Boolean.toString(conf.get(ConfigKeys.CREDENTIALS_HADOOPFS_ENABLED)),
                uris.isEmpty() ? "-" : String.join(",", uris),
                Boolean.toString(conf.get(ConfigKeys.CREDENTIALS_HIVE_ENABLED)),
                metastore == null || metastore.isBlank() ? "-" : metastore.trim()));
        Duration timeout = conf.get(ConfigKeys.CREDENTIALS_UPDATE_WAIT_TIMEOUT);
        String what = "Cannot obtain delegation tokens for " + user + " as " + conf.get(ConfigKeys.KINIT_PRINCIPAL)
                + " (" + ConfigKeys.KINIT_PRINCIPAL.name() + ", " + ConfigKeys.KINIT_KEYTAB.name() + ")";
        Process p;
        try {
            Files.deleteIfExists(log);
            EngineWorkDirs.ownerOnlyFile(log);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(file.getParent().toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            // a token file of the server's own environment is not this user's
            pb.environment().remove(ENV);
            p = pb.start();
        } catch (IOException e) {
            throw new EngineException(what + ": cannot start " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        List<String> out = new ArrayList<>();
        Thread reader = NamedThreads.daemon("kitsune-token-fetch-out").newThread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    synchronized (out) {
                        out.add(line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new EngineException(what + ": no answer within " + ConfigKeys.CREDENTIALS_UPDATE_WAIT_TIMEOUT.name()
                        + "=" + timeout + " (is the NameNode or the KDC reachable?); see " + log);
            }
            reader.join(5_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EngineException(what + ": interrupted", e);
        }
        List<String> lines;
        synchronized (out) {
            lines = List.copyOf(out);
        }
        for (String line : lines) {
            if (line.equals(OFF)) return Optional.empty();
            if (line.startsWith(OK)) return Optional.of(parse(file, line.substring(OK.length())));
            if (line.startsWith(FAILED)) {
                throw new EngineException(what + ": " + line.substring(FAILED.length()) + "; the cluster must let "
                        + "the server's principal impersonate " + user + " (hadoop.proxyuser.<its short name>.hosts/"
                        + "groups), or turn tokens off (" + ConfigKeys.CREDENTIALS_HADOOPFS_ENABLED.name() + ", "
                        + ConfigKeys.CREDENTIALS_HIVE_ENABLED.name() + "); see " + log);
            }
        }
        throw new EngineException(what + ": the fetching JVM ended with exit code " + p.exitValue()
                + " without an answer; see " + log);
    }

    /**
     * The metastore the server asks for a token: the server's own {@code hive.metastore.uris} (the home's Hadoop
     * configuration otherwise, read by the fetching JVM). Never {@code spark.hadoop.hive.metastore.uris}: a session may
     * set spark.* keys, and must not send the server's Kerberos login to a host of its choosing.
     */
    static String metastoreUris(KitsuneConf conf) {
        return conf.raw("hive.metastore.uris");
    }

    static Obtained parse(Path file, String answer) {
        String[] parts = answer.split(" ", 3);
        return new Obtained(file, Integer.parseInt(parts[0]), Long.parseLong(parts[1]),
                parts.length > 2 ? parts[2] : "");
    }

    /**
     * When to obtain fresh tokens after a fetch at {@code nowMillis}: after the renewal interval, or sooner, at three
     * quarters of the time left before the earliest token expires (as Spark's token manager does), but never sooner
     * than the retry wait; after a failure, the retry wait.
     *
     * @param expiryMillis the earliest expiry of the tokens obtained, -1 unknown (ignored when {@code failed})
     */
    static Duration nextRenewal(boolean failed, long expiryMillis, long nowMillis, Duration interval,
            Duration retryWait) {
        if (failed) return retryWait;
        if (expiryMillis < 0) return interval;
        long left = Math.max(0, expiryMillis - nowMillis);
        Duration sooner = Duration.ofMillis(left * 3 / 4);
        if (sooner.compareTo(retryWait) < 0) sooner = retryWait;
        return sooner.compareTo(interval) < 0 ? sooner : interval;
    }
}
