package kitsune.console.impl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import kitsune.api.conf.ConfigKey;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * HTTPS of the Web Console: the key store of kitsune.console.ssl.keystore.* or, when its path is unset, the Thrift
 * frontend's kyuubi.frontend.ssl.keystore.*; the same protocol and cipher policy as the Thrift binary port (the JVM's
 * protocols less kyuubi.frontend.thrift.binary.ssl.disallowed.protocols, its include.ciphersuites). The key store is
 * read here once so that every problem is reported naming the key, and the console is not served at all rather than
 * in clear. {@link #toString()} never shows the password.
 */
record ConsoleTls(Path keystore, String password, String type, String[] protocols, String[] cipherSuites,
        String source) {

    /** The console cannot be served over HTTPS with this configuration; the message names the key and the fix. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static ConsoleTls from(KitsuneConf conf) throws Unusable {
        boolean own = !conf.get(ConfigKeys.CONSOLE_SSL_KEYSTORE_PATH).isBlank();
        ConfigKey<String> pathKey = own ? ConfigKeys.CONSOLE_SSL_KEYSTORE_PATH : ConfigKeys.SSL_KEYSTORE_PATH;
        ConfigKey<String> passwordKey = own ? ConfigKeys.CONSOLE_SSL_KEYSTORE_PASSWORD : ConfigKeys.SSL_KEYSTORE_PASSWORD;
        ConfigKey<String> typeKey = own ? ConfigKeys.CONSOLE_SSL_KEYSTORE_TYPE : ConfigKeys.SSL_KEYSTORE_TYPE;
        String path = conf.get(pathKey).trim();
        if (path.isEmpty()) {
            throw new Unusable(ConfigKeys.CONSOLE_SSL_ENABLED.name() + "=true needs a key store: set "
                    + ConfigKeys.CONSOLE_SSL_KEYSTORE_PATH.name() + " (or " + ConfigKeys.SSL_KEYSTORE_PATH.name()
                    + ", which the console falls back to)", null);
        }
        String home = conf.raw(ConfigKeys.KITSUNE_HOME.name());
        Path keystore = Path.of(home == null ? "." : home).resolve(path).toAbsolutePath().normalize();
        String password = conf.get(passwordKey);
        String type = conf.get(typeKey).trim();
        if (type.isEmpty()) type = KeyStore.getDefaultType();
        if (!Files.isRegularFile(keystore)) {
            throw new Unusable("The key store " + keystore + " (" + pathKey.name() + ") does not exist", null);
        }
        SSLContext context;
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
        } catch (IOException | GeneralSecurityException e) {
            String why = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password") ? "wrong password (" + e.getMessage() + ")"
                    : String.valueOf(e.getMessage());
            throw new Unusable("Cannot use the key store " + keystore + " (" + pathKey.name() + ", " + typeKey.name()
                    + ", " + passwordKey.name() + "): " + why, e);
        }
        SSLEngine probe = context.createSSLEngine();
        List<String> disallowed = conf.get(ConfigKeys.THRIFT_SSL_DISALLOWED_PROTOCOLS);
        List<String> protocols = new ArrayList<>(Arrays.asList(probe.getEnabledProtocols()));
        protocols.removeAll(disallowed);
        if (protocols.isEmpty()) {
            throw new Unusable("No TLS protocol is left after " + ConfigKeys.THRIFT_SSL_DISALLOWED_PROTOCOLS.name()
                    + "=" + String.join(",", disallowed), null);
        }
        String[] suites = null;
        List<String> wanted = conf.get(ConfigKeys.THRIFT_SSL_CIPHER_SUITES);
        if (!wanted.isEmpty()) {
            List<String> supported = Arrays.asList(probe.getSupportedCipherSuites());
            suites = wanted.stream().filter(supported::contains).toArray(String[]::new);
            if (suites.length == 0) {
                throw new Unusable("None of " + ConfigKeys.THRIFT_SSL_CIPHER_SUITES.name() + "="
                        + String.join(",", wanted) + " is supported by this JVM", null);
            }
        }
        return new ConsoleTls(keystore, password, type, protocols.toArray(String[]::new), suites, pathKey.name());
    }

    /** Felix HTTP's (Jetty's) HTTPS properties. */
    void putInto(Dictionary<String, Object> http) {
        http.put("org.apache.felix.https.keystore", keystore.toString());
        http.put("org.apache.felix.https.keystore.password", password);
        http.put("org.apache.felix.https.keystore.key.password", password);
        http.put("org.apache.felix.https.keystore.type", type);
        http.put("org.apache.felix.https.jetty.protocols.included", protocols);
        if (cipherSuites != null) http.put("org.apache.felix.https.jetty.ciphersuites.included", cipherSuites);
        http.put("org.apache.felix.https.jetty.renegotiateAllowed", Boolean.FALSE);
        http.put("org.apache.felix.https.jetty.session.cookie.secure", Boolean.TRUE);
        http.put("org.apache.felix.https.jetty.session.cookie.httpOnly", Boolean.TRUE);
    }

    @Override
    public String toString() {
        return "key store " + keystore + " (" + source + "), type " + type + ", protocols "
                + String.join(",", protocols);
    }
}
