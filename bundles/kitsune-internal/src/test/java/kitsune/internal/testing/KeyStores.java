package kitsune.internal.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server key store for 127.0.0.1/localhost and a trust store with its certificate, both PKCS12, made
 * by the JDK's own keytool as an operator would make them.
 */
public final class KeyStores {
    public final Path keystore;
    public final Path truststore;

    private KeyStores(Path keystore, Path truststore) {
        this.keystore = keystore;
        this.truststore = truststore;
    }

    public static KeyStores create(Path dir, String password) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path truststore = dir.resolve("clients.p12");
        Path cert = dir.resolve("server.crt");
        keytool("-genkeypair", "-alias", "kitsune", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-alias", "kitsune", "-keystore", keystore.toString(), "-storepass", password,
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "kitsune", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", password);
        return new KeyStores(keystore, truststore);
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }
}
