package kitsune.config.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

class FrameworkPropertiesTest {
    static BundleContext context(Map<String, String> props) {
        return (BundleContext) Proxy.newProxyInstance(FrameworkPropertiesTest.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty")) return props.get((String) args[0]);
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void readsTheFourFrameworkProperties() {
        Map<String, String> m = ConfigPublisher.frameworkProperties(context(Map.of("kitsune.home", "/opt/k",
                "kitsune.conf.dir", "/etc/k ", "kitsune.work.dir", "/var/k/work", "kitsune.log.dir", "/var/log/k")));
        assertEquals(Map.of("kitsune.home", "/opt/k", "kitsune.conf.dir", "/etc/k", "kitsune.work.dir", "/var/k/work",
                "kitsune.log.dir", "/var/log/k"), m);
    }

    @Test
    void confDirFallsBackToHomeConf() {
        Map<String, String> m = ConfigPublisher.frameworkProperties(context(Map.of("kitsune.home", "/opt/k")));
        String expected = System.getenv("KITSUNE_CONF_DIR") != null ? System.getenv("KITSUNE_CONF_DIR").trim()
                : Path.of("/opt/k", "conf").toString();
        assertEquals(expected, m.get("kitsune.conf.dir"));
        assertEquals(2, m.size());
    }

    @Test
    void pollIntervalIsAFrameworkProperty() {
        assertEquals(Duration.ofSeconds(2), ConfigPublisher.pollInterval(context(Map.of())));
        assertEquals(Duration.ofMillis(250), ConfigPublisher.pollInterval(context(Map.of("kitsune.conf.poll.interval",
                "250"))));
        assertEquals(Duration.ofSeconds(2), ConfigPublisher.pollInterval(context(Map.of("kitsune.conf.poll.interval",
                "soon"))));
    }
}
