package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import kitsune.api.conf.ConfigKeys;

/**
 * What the masters of a Spark standalone cluster say of a driver, read from their web UI's {@code /json/} (the
 * drivers a master runs and has run, with their states): the only place a standalone cluster tells a driver's end to
 * someone other than the process that submitted it. Only the ALIVE master of a high-availability pair is believed.
 */
final class StandaloneMasters {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The most a master's /json/ may take (every worker, application and driver it remembers). */
    static final int MAX_BYTES = 32 * 1024 * 1024;
    /** A master's web UI port unless configured otherwise (Spark's spark.master.ui.port). */
    static final int DEFAULT_UI_PORT = 8080;

    /** A driver as its master reports it. */
    record Driver(String id, String state, String worker) {
        private static final Set<String> ENDED = Set.of("FINISHED", "KILLED", "FAILED", "ERROR");

        boolean ended() {
            return ENDED.contains(state);
        }
    }

    private final List<String> uis;
    private final HttpClient http;

    StandaloneMasters(List<String> uis) {
        this.uis = uis.stream().map(String::trim).filter(u -> !u.isEmpty())
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** The web UIs asked, in order. */
    List<String> uis() {
        return uis;
    }

    /**
     * The masters' web UIs: the configured ones, else port {@value #DEFAULT_UI_PORT} on each host of the master URL
     * ({@code spark://h1:7077,h2:7077}); the URL is the server's own spark.master, never a batch's.
     */
    static StandaloneMasters of(String master, List<String> configured) {
        if (!configured.isEmpty()) return new StandaloneMasters(configured);
        List<String> uis = new ArrayList<>();
        if (master.startsWith("spark://")) {
            for (String hostPort : master.substring("spark://".length()).split(",")) {
                String host = hostPort.trim();
                int colon = host.lastIndexOf(':');
                if (colon > 0 && !host.endsWith("]")) host = host.substring(0, colon);
                if (!host.isEmpty()) uis.add("http://" + host + ":" + DEFAULT_UI_PORT);
            }
        }
        return new StandaloneMasters(uis);
    }

    /**
     * The driver as the alive master reports it; empty when the masters that answered do not know it.
     *
     * @throws IOException when no master answered
     */
    Optional<Driver> driver(String id) throws IOException {
        IOException last = null;
        boolean answered = false;
        for (String ui : uis) {
            JsonNode root;
            try {
                root = state(ui);
            } catch (IOException e) {
                last = e;
                continue;
            }
            answered = true;
            if (!root.path("status").asText("ALIVE").equals("ALIVE")) continue; // a standby master knows nothing
            for (String list : List.of("activedrivers", "completeddrivers")) {
                for (JsonNode d : root.path(list)) {
                    if (id.equals(d.path("id").asText())) {
                        return Optional.of(new Driver(id, d.path("state").asText("UNKNOWN"),
                                d.path("worker").asText("")));
                    }
                }
            }
        }
        if (!answered) {
            throw last != null ? last : new IOException("no standalone master web UI to ask: set "
                    + ConfigKeys.STANDALONE_MASTER_WEBUI_URLS.name());
        }
        return Optional.empty();
    }

    private JsonNode state(String ui) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(ui + "/json/")).timeout(TIMEOUT)
                .header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = r.body()) {
                if (r.statusCode() != 200) {
                    throw new IOException("the standalone master's web UI " + ui + " answered HTTP " + r.statusCode()
                            + " (" + ConfigKeys.STANDALONE_MASTER_WEBUI_URLS.name() + ")");
                }
                byte[] bytes = body.readNBytes(MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    throw new IOException("the standalone master's web UI " + ui + " answered more than "
                            + MAX_BYTES + " bytes");
                }
                return JSON.readTree(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the standalone master at " + ui, e);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a web UI URL: " + ui + " (" + ConfigKeys.STANDALONE_MASTER_WEBUI_URLS.name()
                    + ")", e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("the standalone master")) throw e;
            throw new IOException("the standalone master's web UI " + ui + " did not answer: " + e.getMessage(), e);
        }
    }
}
