package kitsune.engine.spark.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.login.LoginException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.internal.kerberos.AuthToLocal;
import kitsune.internal.kerberos.KeytabLogin;

/**
 * A user's own Kerberos identity for an application submitted through spark-submit, decided as Kyuubi's
 * SparkProcessBuilder decides it: when the settings name {@code spark.kerberos.principal} and
 * {@code spark.kerberos.keytab}, the server logs in from that keytab as that principal, and the application is
 * submitted with them instead of {@code --proxy-user} only when the principal's short name
 * (hadoop.security.auth_to_local) is the user the application would otherwise run as: the proxy user with doAs, the
 * server's own user without. Otherwise the keytab is ignored with a warning in the server's log and the submission
 * goes on as before (proxy user). Beyond Kyuubi: the keytab must be a readable regular file of at most 1 MiB, Spark's
 * older names {@code spark.yarn.principal}/{@code spark.yarn.keytab} are decided the same way (spark-submit reads
 * them too), and a keytab that a session named (not the operator's defaults) is never one of the server's own
 * keytabs nor for the server's own principal.
 */
final class UserKeytab {
    static final String PRINCIPAL = "spark.kerberos.principal";
    static final String KEYTAB = "spark.kerberos.keytab";
    static final String YARN_PRINCIPAL = "spark.yarn.principal";
    static final String YARN_KEYTAB = "spark.yarn.keytab";
    /** Every key by which spark-submit takes a principal or keytab from the properties file. */
    static final List<String> KEYS = List.of(PRINCIPAL, KEYTAB, YARN_PRINCIPAL, YARN_KEYTAB);
    static final long MAX_BYTES = 1 << 20;
    /** Spark's default spark.redaction.regex, extended by the Kerberos identity's keys. */
    static final String SPARK_REDACTION_DEFAULT = "(?i)secret|password|token|access[.]?key";
    static final String REDACTION = "spark.redaction.regex";
    static final String REDACT_KERBEROS = "|spark\\.(kerberos|yarn)\\.(principal|keytab)";

    private static final Logger LOG = LoggerFactory.getLogger(UserKeytab.class);

    /** The identity an application is submitted with: the principal, its keytab, the user it maps to. */
    record Use(String principal, Path keytab, String user) {
    }

    /** A keytab login as the principal (Kyuubi: UserGroupInformation.loginUserFromKeytabAndReturnUGI). */
    interface Login {
        void login(String principal, Path keytab) throws LoginException;
    }

    private UserKeytab() {
    }

    /**
     * The keytab identity to submit with, or empty (then the caller removes the keys and submits as before).
     *
     * @param settings      the application's spark.* settings as they would be submitted
     * @param trusted       the same keys as the operator gave them (the engine home's spark-defaults.conf, the
     *                      server's keys and the user's ___user___ defaults), to tell a session's own values
     * @param expectedUser  the user the application runs as without a keytab: the proxy user with doAs, else the
     *                      server's user
     * @param conf          the configuration in force (auth_to_local, the server's own principals and keytabs)
     * @param what          the application, for the log ("engine of /kyuubi_.../alice/default")
     */
    static Optional<Use> decide(Map<String, String> settings, Map<String, String> trusted, String expectedUser,
            KitsuneConf conf, String what, Login login) {
        String principal = value(settings, PRINCIPAL, YARN_PRINCIPAL);
        String keytab = value(settings, KEYTAB, YARN_KEYTAB);
        if (principal == null && keytab == null) return Optional.empty();
        String ignored = "Ignoring " + PRINCIPAL + "/" + KEYTAB + " for the " + what + ": ";
        if (principal == null || keytab == null) {
            LOG.warn("{}both are needed; submitting as {}", ignored, expectedUser);
            return Optional.empty();
        }
        boolean fromSession = !Objects.equals(principal, value(trusted, PRINCIPAL, YARN_PRINCIPAL))
                || !Objects.equals(keytab, value(trusted, KEYTAB, YARN_KEYTAB));
        String full;
        String shortName;
        try {
            full = new KerberosPrincipal(principal).getName();
            shortName = AuthToLocal.parse(conf.get(ConfigKeys.AUTH_TO_LOCAL), defaultRealm(full)).shortName(full);
        } catch (IllegalArgumentException | AuthToLocal.NoMapping | ConfigException e) {
            LOG.warn("{}the principal '{}' maps to no user ({}); submitting as {}", ignored, LogSafe.of(principal),
                    e.getMessage(), expectedUser);
            return Optional.empty();
        }
        if (!shortName.equals(expectedUser)) {
            LOG.warn("{}the principal {} is user {}, not {}, the user the application runs as; submitting as {}",
                    ignored, LogSafe.of(full), LogSafe.of(shortName), expectedUser, expectedUser);
            return Optional.empty();
        }
        Path path;
        try {
            path = Path.of(keytab);
        } catch (InvalidPathException e) {
            LOG.warn("{}the keytab is not a path; submitting as {}", ignored, expectedUser);
            return Optional.empty();
        }
        if (!path.isAbsolute()) {
            LOG.warn("{}the keytab '{}' is not an absolute path on the server's host; submitting as {}", ignored,
                    LogSafe.of(keytab), expectedUser);
            return Optional.empty();
        }
        try {
            if (!Files.isRegularFile(path) || !Files.isReadable(path) || Files.size(path) > MAX_BYTES) {
                LOG.warn("{}the keytab '{}' is not a readable regular file of at most {} bytes; submitting as {}",
                        ignored, LogSafe.of(keytab), MAX_BYTES, expectedUser);
                return Optional.empty();
            }
        } catch (IOException e) {
            LOG.warn("{}cannot read the keytab '{}' ({}); submitting as {}", ignored, LogSafe.of(keytab),
                    e.getMessage(), expectedUser);
            return Optional.empty();
        }
        if (fromSession) {
            Optional<String> own = serversOwn(full, path, conf);
            if (own.isPresent()) {
                LOG.warn("{}a session named the server's own {}; submitting as {}", ignored, own.get(), expectedUser);
                return Optional.empty();
            }
        }
        try {
            login.login(full, path);
        } catch (LoginException | RuntimeException e) {
            LOG.warn("{}cannot log in as {} from {}; submitting as {}", ignored, LogSafe.of(full), LogSafe.of(keytab),
                    expectedUser, e);
            return Optional.empty();
        }
        return Optional.of(new Use(full, path, shortName));
    }

    /**
     * Puts the decision into the submitted properties: without a keytab identity no principal or keytab key at all
     * (spark-submit must not log in from a keytab the rule refused, nor refuse --proxy-user beside a principal);
     * with one, only spark.kerberos.principal and .keytab, and spark.redaction.regex extended so that Spark leaves
     * them out of its UI, event log and SET output.
     */
    static void apply(Properties props, Optional<Use> use) {
        KEYS.forEach(props::remove);
        if (use.isEmpty()) return;
        props.setProperty(PRINCIPAL, use.get().principal());
        props.setProperty(KEYTAB, use.get().keytab().toString());
        String redaction = props.getProperty(REDACTION, SPARK_REDACTION_DEFAULT);
        if (!redaction.contains(REDACT_KERBEROS)) props.setProperty(REDACTION, redaction + REDACT_KERBEROS);
    }

    /** The principal or keytab values to mask in what an application's log shows to users. */
    static Map<String, String> maskable(Optional<Use> use) {
        return use.map(u -> Map.of("kerberos.secret.principal", u.principal(), "kerberos.secret.keytab",
                u.keytab().toString())).orElse(Map.of());
    }

    /** A login as the principal from the keytab with the JDK's Kerberos module: the KDC must accept its keys. */
    static void kdcLogin(String principal, Path keytab) throws LoginException {
        KeytabLogin.login("kitsune-user-keytab", principal, keytab, true, false).logout();
    }

    private static String value(Map<String, String> settings, String key, String olderKey) {
        String v = settings.get(key);
        if (v == null || v.isBlank()) v = settings.get(olderKey);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static String defaultRealm(String principal) {
        // DEFAULT maps principals of the realm krb5.conf names as default; a principal given without realm got it
        try {
            return new KerberosPrincipal("kitsune").getRealm();
        } catch (IllegalArgumentException e) {
            int at = principal.lastIndexOf('@');
            return at < 0 ? "" : principal.substring(at + 1);
        }
    }

    /** The server's own Kerberos identities: its principal, or one of its keytabs. */
    private static Optional<String> serversOwn(String principal, Path keytab, KitsuneConf conf) {
        for (var key : List.of(ConfigKeys.KINIT_PRINCIPAL, ConfigKeys.SPNEGO_PRINCIPAL)) {
            String own = conf.get(key).trim();
            if (!own.isEmpty() && sameService(own, principal)) return Optional.of("principal (" + key.name() + ")");
        }
        List<String> keys = new ArrayList<>(List.of(ConfigKeys.KINIT_KEYTAB.name(), ConfigKeys.SPNEGO_KEYTAB.name(),
                ConfigKeys.HA_ZK_AUTH_KEYTAB.name(), ConfigKeys.HA_ZK_ENGINE_AUTH_KEYTAB.name()));
        for (String key : keys) {
            String own = conf.raw(key);
            if (own == null || own.isBlank()) continue;
            try {
                Path p = Path.of(own.trim());
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && Files.isSameFile(p, keytab)) {
                    return Optional.of("keytab (" + key + ")");
                }
            } catch (IOException | InvalidPathException e) {
                // not a file to compare with
            }
        }
        return Optional.empty();
    }

    /**
     * The same principal, _HOST aside (service/_HOST@R stands for service/any-host@R); an own principal without realm
     * stands for itself in any realm.
     */
    static boolean sameService(String own, String principal) {
        StringBuilder regex = new StringBuilder();
        String[] parts = own.split("_HOST", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) regex.append("[^/@]+");
            regex.append(java.util.regex.Pattern.quote(parts[i]));
        }
        if (!own.contains("@")) regex.append("(@[^/@]*)?");
        return java.util.regex.Pattern.compile(regex.toString(), java.util.regex.Pattern.CASE_INSENSITIVE)
                .matcher(principal).matches();
    }

    /** A client's text in a log line: control characters escaped, at most 300 characters. */
    static final class LogSafe {
        private LogSafe() {
        }

        static String of(String s) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length() && b.length() < 300; i++) {
                char c = s.charAt(i);
                if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }
}
