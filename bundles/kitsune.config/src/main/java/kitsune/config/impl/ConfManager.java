package kitsune.config.impl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKey;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * The configuration's life without OSGi: first load (fatal on any error), then reloads that keep the last good
 * configuration on an error and hold back changes of keys that need a restart. Publishing is delegated, so that
 * tests drive this class with plain objects.
 */
final class ConfManager {
    private static final Logger LOG = LoggerFactory.getLogger(ConfManager.class);
    private static final String MISSING = "<missing>";

    /** Where the configuration goes (Config Admin in the bundle). */
    interface Publisher {
        void publish(Map<String, String> properties) throws Exception;
    }

    enum Kind {
        /** The file has not changed since the last look. */
        UNCHANGED,
        /** The file changed but is missing, unreadable or holds an invalid value; the last good one stays. */
        INVALID,
        /** The file changed and is valid, but nothing applicable changed (e.g. only restart-needed keys). */
        NOTHING_APPLIED,
        /** The file changed, is valid, and the applicable changes were published. */
        APPLIED,
        /** Valid, but publishing failed; the last published configuration stays. */
        PUBLISH_FAILED
    }

    /** What one look at the file did. Key lists hold names only. */
    record Reload(Kind kind, String error, List<String> changed, List<String> applied, List<String> restartPending) {
        static Reload of(Kind kind) {
            return new Reload(kind, null, List.of(), List.of(), List.of());
        }

        static Reload error(String message) {
            return new Reload(Kind.INVALID, message, List.of(), List.of(), List.of());
        }
    }

    private final ConfSource source;
    private final Supplier<Map<String, String>> systemDefaults;
    private final Map<String, String> frameworkProps;
    private final Publisher publisher;

    /** Digest of the content last looked at, good or bad, so that one bad edit is reported once. */
    private String lastDigest;
    /** The values of the last valid read (system defaults + file). */
    private Map<String, String> lastGood;
    /** What is in force: lastGood except restart-needed keys, which keep their values from the start. */
    private Map<String, String> inForce;
    private Set<String> lastWarnings = Set.of();

    /**
     * @param frameworkProps framework properties published beside the configuration (kitsune.home, ...); added
     *                       after validation, never overridden by the file
     */
    ConfManager(ConfSource source, Supplier<Map<String, String>> systemDefaults, Map<String, String> frameworkProps,
            Publisher publisher) {
        this.source = source;
        this.systemDefaults = systemDefaults;
        this.frameworkProps = Collections.unmodifiableMap(new TreeMap<>(frameworkProps));
        this.publisher = publisher;
    }

    ConfSource source() {
        return source;
    }

    /**
     * Reads, validates and publishes the configuration. Warnings are logged at WARN, each naming its key.
     *
     * @return the published properties
     * @throws ConfigException with one line naming the file or the key, value and what is allowed
     */
    synchronized Map<String, String> start() throws Exception {
        ConfSource.Content content = source.read();
        Map<String, String> values = ConfSource.merge(systemDefaults.get(), content.values());
        List<String> warnings = validate(values);
        warnings.forEach(LOG::warn);
        lastWarnings = new LinkedHashSet<>(warnings);
        Map<String, String> props = withFrameworkProps(values);
        publisher.publish(props);
        lastDigest = content.digest();
        lastGood = values;
        inForce = values;
        LOG.info("Configuration loaded from {} ({} keys)", source.file(), values.size());
        return props;
    }

    /** The properties currently published (configuration plus framework properties). */
    synchronized Map<String, String> published() {
        return inForce == null ? Map.of() : withFrameworkProps(inForce);
    }

    /** Looks at the file once; called by the watcher. Never throws. */
    synchronized Reload poll() {
        if (inForce == null) throw new IllegalStateException("not started");
        ConfSource.Content content;
        try {
            content = source.read();
        } catch (ConfigException e) {
            String marker = MISSING + e.getMessage();
            if (marker.equals(lastDigest)) return Reload.of(Kind.UNCHANGED);
            lastDigest = marker;
            LOG.error("{}; keeping the configuration in force", e.getMessage());
            return Reload.error(e.getMessage());
        }
        if (content.digest().equals(lastDigest)) return Reload.of(Kind.UNCHANGED);
        lastDigest = content.digest();

        Map<String, String> values = ConfSource.merge(systemDefaults.get(), content.values());
        List<String> warnings;
        try {
            warnings = validate(values);
        } catch (ConfigException e) {
            LOG.error("{} in {}; keeping the configuration in force", e.getMessage(), source.file());
            return Reload.error(e.getMessage());
        }
        for (String w : warnings) {
            if (!lastWarnings.contains(w)) LOG.warn(w);
        }
        lastWarnings = new LinkedHashSet<>(warnings);

        Diff diff = diff(lastGood, values, inForce);
        lastGood = values;
        if (diff.changed.isEmpty()) {
            // e.g. a comment or whitespace edit
            return new Reload(Kind.NOTHING_APPLIED, null, List.of(), List.of(), List.of());
        }
        LOG.info("Configuration file {} changed: {}", source.file(), String.join(", ", diff.changed));
        for (String k : diff.restartPending) {
            LOG.warn("{} changed in {} but needs a restart to take effect; the running server keeps {}", k,
                    source.file(), describeInForce(k));
        }
        if (diff.nextInForce.equals(inForce)) {
            return new Reload(Kind.NOTHING_APPLIED, null, diff.changed, List.of(), diff.restartPending);
        }
        try {
            publisher.publish(withFrameworkProps(diff.nextInForce));
        } catch (Exception e) {
            LOG.error("Could not publish the changed configuration ({}); keeping the configuration in force",
                    e.toString());
            return new Reload(Kind.PUBLISH_FAILED, e.toString(), diff.changed, List.of(), diff.restartPending);
        }
        inForce = diff.nextInForce;
        if (!diff.applied.isEmpty()) {
            LOG.info("Applied configuration changes: {}", String.join(", ", diff.applied));
        }
        return new Reload(Kind.APPLIED, null, diff.changed, diff.applied, diff.restartPending);
    }

    private String describeInForce(String key) {
        String v = inForce.get(key);
        if (v != null) return Secrets.show(key, v);
        ConfigKey<?> k = ConfigKeys.find(key);
        if (k != null && k.defaultValue() != null) {
            return "the default " + Secrets.show(key, k.defaultValue());
        }
        return "no value";
    }

    private Map<String, String> withFrameworkProps(Map<String, String> values) {
        Map<String, String> m = new TreeMap<>(values);
        m.putAll(frameworkProps);
        return m;
    }

    /**
     * Validates with KitsuneConf.validate(); the framework-property keys are not configuration and are skipped.
     * A refused value of a secret key is reported without its value.
     */
    static List<String> validate(Map<String, String> values) {
        Map<String, String> m = new LinkedHashMap<>(values);
        ConfSource.FRAMEWORK_KEYS.forEach(m::remove);
        try {
            return KitsuneConf.of(m).validate();
        } catch (ConfigException e) {
            String key = e.key();
            if (key != null && Secrets.isSecret(key)) {
                ConfigKey<?> k = ConfigKeys.find(key);
                String allowed = k == null ? "" : " (allowed: " + k.type().allowed() + ")";
                throw new ConfigException(key, "Invalid value for " + key + ": '******'" + allowed);
            }
            throw e;
        }
    }

    static final class Diff {
        final List<String> changed = new ArrayList<>();
        final List<String> applied = new ArrayList<>();
        final List<String> restartPending = new ArrayList<>();
        Map<String, String> nextInForce;
    }

    /**
     * What changed between two valid reads and what the configuration in force becomes: every change applies
     * except those of keys whose ConfigKey.restartNeeded() is true, which keep the value in force.
     */
    static Diff diff(Map<String, String> previous, Map<String, String> next, Map<String, String> inForce) {
        Diff d = new Diff();
        Set<String> keys = new TreeSet<>(previous.keySet());
        keys.addAll(next.keySet());
        for (String k : keys) {
            if (!Objects.equals(previous.get(k), next.get(k))) d.changed.add(k);
        }
        Map<String, String> nextInForce = new TreeMap<>(next);
        Set<String> restartKeys = new TreeSet<>(next.keySet());
        restartKeys.addAll(inForce.keySet());
        for (String k : restartKeys) {
            if (!restartNeeded(k)) continue;
            String running = inForce.get(k);
            if (running == null) nextInForce.remove(k); else nextInForce.put(k, running);
        }
        for (String k : d.changed) {
            if (restartNeeded(k) && !Objects.equals(next.get(k), inForce.get(k))) {
                d.restartPending.add(k);
            } else if (!restartNeeded(k)) {
                d.applied.add(k);
            }
        }
        d.nextInForce = nextInForce;
        return d;
    }

    static boolean restartNeeded(String key) {
        ConfigKey<?> k = ConfigKeys.find(key);
        return k != null && k.restartNeeded();
    }
}
