package kitsune.engine.spark.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import kitsune.api.batch.BatchState;

class StandaloneMastersTest {
    private HttpServer alive;
    private HttpServer standby;

    @AfterEach
    void stop() {
        if (alive != null) alive.stop(0);
        if (standby != null) standby.stop(0);
    }

    /** A master's web UI on loopback answering /json/ with the body given. */
    private static HttpServer master(String json) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/json/", exchange -> {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        s.start();
        return s;
    }

    private static String url(HttpServer s) {
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/";
    }

    @Test
    void theWebUisAreThoseConfiguredElsePort8080OnEachMasterHost() {
        assertEquals(List.of("http://m1:8080", "http://m2:8080"),
                StandaloneMasters.of("spark://m1:7077,m2:7077", List.of()).uis());
        assertEquals(List.of("http://ui:9090"), StandaloneMasters.of("spark://m1:7077", List.of(" http://ui:9090/ ")).uis());
    }

    @Test
    void theAliveMastersWordIsTakenAndAStandbyIsPassedOver() throws Exception {
        standby = master("{\"status\": \"STANDBY\", \"activedrivers\": [{\"id\": \"driver-20261208033000-0001\", "
                + "\"state\": \"FAILED\"}]}");
        alive = master("{\"status\": \"ALIVE\", \"activedrivers\": [], \"completeddrivers\": [{\"id\": "
                + "\"driver-20261208033000-0001\", \"state\": \"FINISHED\", \"worker\": \"worker-1\"}]}");
        StandaloneMasters masters = new StandaloneMasters(List.of(url(standby), url(alive)));
        Optional<StandaloneMasters.Driver> d = masters.driver("driver-20261208033000-0001");
        assertEquals(Optional.of(new StandaloneMasters.Driver("driver-20261208033000-0001", "FINISHED", "worker-1")),
                d);
        assertEquals(BatchState.FINISHED, SparkBatches.StandaloneBatch.statusOf(d.get()).state());
        assertEquals(Optional.empty(), masters.driver("driver-20261208033000-0002"), "unknown to the alive master");
    }

    @Test
    void aDriverThatEndedOtherwiseIsAnErrorNamingItsStateAndAQueuedOneIsPending() {
        var failed = SparkBatches.StandaloneBatch.statusOf(new StandaloneMasters.Driver("driver-1", "FAILED", "w"));
        assertEquals(BatchState.ERROR, failed.state());
        assertTrue(failed.diagnostic().contains("driver-1 ended FAILED"), failed.diagnostic());
        assertEquals(BatchState.PENDING, SparkBatches.StandaloneBatch.statusOf(
                new StandaloneMasters.Driver("driver-1", "SUBMITTED", "")).state());
        assertEquals(BatchState.RUNNING, SparkBatches.StandaloneBatch.statusOf(
                new StandaloneMasters.Driver("driver-1", "RUNNING", "w")).state());
    }

    @Test
    void noMasterAnsweringIsAnErrorNamingTheKeyNotAnEnd() throws Exception {
        alive = master("{}");
        int port = alive.getAddress().getPort();
        alive.stop(0);
        alive = null;
        IOException e = assertThrows(IOException.class,
                () -> new StandaloneMasters(List.of("http://127.0.0.1:" + port)).driver("driver-1"));
        assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
        IOException none = assertThrows(IOException.class, () -> new StandaloneMasters(List.of()).driver("driver-1"));
        assertTrue(none.getMessage().contains("kitsune.batch.standalone.master.webui.urls"), none.getMessage());
    }
}
