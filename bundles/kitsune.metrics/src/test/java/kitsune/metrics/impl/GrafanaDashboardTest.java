package kitsune.metrics.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.session.SessionInfo;
import kitsune.api.session.SessionManager;

/** docs/grafana/kitsune.json loads, and every query in it names series this bundle serves. */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("../../docs/grafana/kitsune.json");
    private static final Pattern NAME_REGEX = Pattern.compile("__name__=~\"([^\"]+)\"");
    private static final Pattern NAME = Pattern.compile("\\b((?:kyuubi|kitsune|jvm|process)_[a-z_]+)\\b");

    /** Every series name of a page where each kind of event happened once. */
    private static Set<String> served() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SessionInfo one = new SessionInfo("s1", "a", "10.0.0.1", "127.0.0.1:4001", Instant.EPOCH, Instant.EPOCH, 1);
        SessionManager sessions = new SessionManager() {
            @Override
            public int openSessionCount() {
                return 1;
            }

            @Override
            public List<SessionInfo> sessions() {
                return List.of(one);
            }

            @Override
            public void refuseNewSessions(String message) {
            }

            @Override
            public boolean closeSession(String id) {
                return false;
            }
        };
        MicrometerMetrics m = new MicrometerMetrics(registry, false, "0.1.0", () -> sessions);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        m.connectionOpened("a");
        m.connectionFailed("a");
        m.loginFailed("LDAP", "a");
        m.statementOpened("a");
        m.statementEnded("a", "finished", Duration.ofMillis(1));
        m.engineLaunched("SPARK_SQL", ServerMetrics.ENGINE_STARTED, Duration.ofSeconds(1));
        for (String call : List.of("OpenSession", "ExecuteStatement", "FetchResults")) m.backendCall(call, 1000);
        m.refresh();
        Set<String> names = new TreeSet<>();
        for (String line : registry.scrape().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            names.add(line.split("[{ ]", 2)[0]);
        }
        return names;
    }

    @Test
    void everyQueryOfTheDashboardNamesASeriesTheServerServes() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> served = served();
        List<String> exprs = new ArrayList<>();
        dashboard.get("panels").forEach(p -> {
            if (p.has("targets")) p.get("targets").forEach(t -> exprs.add(t.get("expr").asText()));
        });
        assertTrue(exprs.size() >= 15, "the dashboard has its queries: " + exprs.size());
        for (String expr : exprs) {
            boolean named = false;
            Matcher regex = NAME_REGEX.matcher(expr);
            while (regex.find()) {
                Pattern p = Pattern.compile(regex.group(1));
                assertTrue(served.stream().anyMatch(n -> p.matcher(n).matches()), "no series matches "
                        + regex.group(1) + " in " + expr);
                named = true;
            }
            Matcher name = NAME.matcher(NAME_REGEX.matcher(expr).replaceAll(""));
            while (name.find()) {
                assertTrue(served.contains(name.group(1)), name.group(1) + " (in " + expr + ") is not served; served: "
                        + served);
                named = true;
            }
            assertTrue(named, "a query that names no series: " + expr);
        }
        assertFalse(served.isEmpty());
    }
}
