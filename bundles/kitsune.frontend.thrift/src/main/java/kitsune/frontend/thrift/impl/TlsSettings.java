package kitsune.frontend.thrift.impl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * TLS on the Thrift binary port (Kyuubi's kyuubi.frontend.thrift.binary.ssl.* and kyuubi.frontend.ssl.keystore.*
 * keys): the key store is read once at start, and every problem with it stops the start with a message naming the
 * key. {@link #toString()} never shows the password.
 */
record TlsSettings(boolean enabled, Path keystore, String password, String type, String algorithm,
        List<String> disallowedProtocols, List<String> cipherSuites) {

    static final TlsSettings OFF = new TlsSettings(false, null, "", "", "", List.of(), List.of());

    static TlsSettings from(KitsuneConf conf) {
        if (!conf.get(ConfigKeys.THRIFT_SSL_ENABLED)) return OFF;
        String path = conf.get(ConfigKeys.SSL_KEYSTORE_PATH).trim();
        String home = conf.raw(ConfigKeys.KITSUNE_HOME.name());
        Path keystore = path.isEmpty() ? null : Path.of(home == null ? "." : home).resolve(path).normalize();
        return new TlsSettings(true, keystore, conf.get(ConfigKeys.SSL_KEYSTORE_PASSWORD),
                conf.get(ConfigKeys.SSL_KEYSTORE_TYPE).trim(), conf.get(ConfigKeys.SSL_KEYSTORE_ALGORITHM).trim(),
                conf.get(ConfigKeys.THRIFT_SSL_DISALLOWED_PROTOCOLS), conf.get(ConfigKeys.THRIFT_SSL_CIPHER_SUITES));
    }

    /** The server's TLS context from the key store. */
    SSLContext context() throws FrontendStartException {
        if (keystore == null) {
            throw new FrontendStartException(ConfigKeys.SSL_KEYSTORE_PATH.name() + " not configured for SSL connection ("
                    + ConfigKeys.THRIFT_SSL_ENABLED.name() + "=true)", null);
        }
        if (!Files.isRegularFile(keystore)) {
            throw new FrontendStartException("The key store " + keystore + " (" + ConfigKeys.SSL_KEYSTORE_PATH.name()
                    + ") does not exist", null);
        }
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance(type.isEmpty() ? KeyStore.getDefaultType() : type);
            store.load(in, password.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(
                    algorithm.isEmpty() ? KeyManagerFactory.getDefaultAlgorithm() : algorithm);
            keys.init(store, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new FrontendStartException("Cannot use the key store " + keystore + " ("
                    + ConfigKeys.SSL_KEYSTORE_PATH.name() + ", " + ConfigKeys.SSL_KEYSTORE_TYPE.name() + ", "
                    + ConfigKeys.SSL_KEYSTORE_PASSWORD.name() + "): " + describe(e), e);
        }
    }

    /**
     * Reads the key store and checks the protocol and cipher restrictions, once at start (every problem stops the
     * start naming the key); the result makes each connection's server-side engine.
     */
    Supplier<SSLEngine> engines() throws FrontendStartException {
        Policy policy = policy();
        return () -> {
            SSLEngine engine = policy.context().createSSLEngine();
            engine.setUseClientMode(false);
            engine.setEnabledProtocols(policy.protocols());
            if (policy.cipherSuites() != null) engine.setEnabledCipherSuites(policy.cipherSuites());
            return engine;
        };
    }

    /**
     * What both frontends enable: the key store's context, the protocols left after the disallowed ones, and the
     * cipher suites allowed (null: the JVM's defaults).
     */
    record Policy(SSLContext context, String[] protocols, String[] cipherSuites) {
    }

    /** Reads the key store and checks the restrictions; every problem stops the start naming the key. */
    Policy policy() throws FrontendStartException {
        SSLContext context = context();
        SSLEngine probe = context.createSSLEngine();
        List<String> protocols = new ArrayList<>(Arrays.asList(probe.getEnabledProtocols()));
        protocols.removeAll(disallowedProtocols);
        if (protocols.isEmpty()) {
            throw new FrontendStartException("No TLS protocol is left after "
                    + ConfigKeys.THRIFT_SSL_DISALLOWED_PROTOCOLS.name() + "=" + String.join(",", disallowedProtocols),
                    null);
        }
        String[] enabledProtocols = protocols.toArray(String[]::new);
        String[] enabledSuites = null;
        if (!cipherSuites.isEmpty()) {
            List<String> supported = Arrays.asList(probe.getSupportedCipherSuites());
            List<String> suites = cipherSuites.stream().filter(supported::contains).toList();
            if (suites.isEmpty()) {
                throw new FrontendStartException("None of " + ConfigKeys.THRIFT_SSL_CIPHER_SUITES.name() + "="
                        + String.join(",", cipherSuites) + " is supported by this JVM", null);
            }
            enabledSuites = suites.toArray(String[]::new);
        }
        return new Policy(context, enabledProtocols, enabledSuites);
    }

    /** A key store's error in words: a wrong password arrives as an unhelpful IOException around a cause. */
    private static String describe(Exception e) {
        Throwable t = e;
        if (t.getCause() instanceof java.security.UnrecoverableKeyException
                || String.valueOf(t.getMessage()).contains("password")) {
            return "wrong password (" + t.getMessage() + ")";
        }
        return String.valueOf(t.getMessage());
    }

    @Override
    public String toString() {
        return enabled ? "TLS(" + keystore + ", type " + (type.isEmpty() ? KeyStore.getDefaultType() : type) + ")"
                : "no TLS";
    }
}
