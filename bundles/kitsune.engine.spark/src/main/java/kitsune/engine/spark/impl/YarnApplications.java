package kitsune.engine.spark.impl;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The YARN ResourceManager as its REST API ({@code /ws/v1/cluster/apps}) shows it: an application's state and
 * diagnostics, and killing one. The ResourceManager's web address comes from the yarn-site.xml that the submission
 * uses (YARN_CONF_DIR, else HADOOP_CONF_DIR), including ResourceManager HA (each rm-id is tried). Simple
 * authentication only ({@code user.name=} the server's user); a Kerberized ResourceManager needs SPNEGO, not built.
 */
final class YarnApplications {
    /** What a YARN application id looks like in a submission log. */
    static final Pattern APPLICATION_ID = Pattern.compile("\\b(application_\\d+_\\d+)\\b");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> webAddresses;
    private final String user;
    private final HttpClient http;

    /** One application as the ResourceManager reports it. */
    record App(String id, String user, String queue, String state, String finalStatus, String diagnostics) {
        boolean ended() {
            return state.equals("FINISHED") || state.equals("FAILED") || state.equals("KILLED");
        }
    }

    YarnApplications(List<String> webAddresses, String user) {
        this.webAddresses = List.copyOf(webAddresses);
        this.user = user;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** From the yarn-site.xml of the submission's environment; empty when there is none to read. */
    static Optional<YarnApplications> of(Map<String, String> env) {
        for (String dir : new String[] {env.get("YARN_CONF_DIR"), env.get("HADOOP_CONF_DIR"),
                System.getenv("YARN_CONF_DIR"), System.getenv("HADOOP_CONF_DIR")}) {
            if (dir == null || dir.isBlank()) continue;
            Path site = Path.of(dir.trim(), "yarn-site.xml");
            if (!Files.isRegularFile(site)) continue;
            try {
                List<String> addresses = webAddresses(properties(site));
                if (!addresses.isEmpty()) {
                    return Optional.of(new YarnApplications(addresses, System.getProperty("user.name")));
                }
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The ResourceManager web addresses a yarn-site.xml names (one per rm-id with HA). */
    static List<String> webAddresses(Map<String, String> site) {
        List<String> addresses = new ArrayList<>();
        String ids = site.get("yarn.resourcemanager.ha.rm-ids");
        if (ids != null && !ids.isBlank()) {
            for (String id : ids.split(",")) {
                String a = site.get("yarn.resourcemanager.webapp.address." + id.trim());
                if (a == null && site.containsKey("yarn.resourcemanager.hostname." + id.trim())) {
                    a = site.get("yarn.resourcemanager.hostname." + id.trim()) + ":8088";
                }
                if (a != null) addresses.add(a.trim());
            }
            if (!addresses.isEmpty()) return addresses;
        }
        String a = site.get("yarn.resourcemanager.webapp.address");
        if (a == null && site.containsKey("yarn.resourcemanager.hostname")) {
            a = site.get("yarn.resourcemanager.hostname") + ":8088";
        }
        if (a != null) addresses.add(a.trim().replace("0.0.0.0", site.getOrDefault("yarn.resourcemanager.hostname",
                "0.0.0.0")));
        return addresses;
    }

    /** A Hadoop configuration file's name/value pairs (no variable expansion, no external entities). */
    static Map<String, String> properties(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            Document doc = f.newDocumentBuilder().parse(in);
            Map<String, String> m = new LinkedHashMap<>();
            NodeList props = doc.getElementsByTagName("property");
            for (int i = 0; i < props.getLength(); i++) {
                Element p = (Element) props.item(i);
                String name = text(p, "name");
                String value = text(p, "value");
                if (name != null && value != null) m.put(name.trim(), value.trim());
            }
            return m;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : l.item(0).getTextContent();
    }

    /** The first YARN application id in a text (a submission log). */
    static Optional<String> idIn(String text) {
        Matcher m = APPLICATION_ID.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The application as the ResourceManager reports it. */
    Optional<App> app(String appId) throws IOException {
        JsonNode root = request("GET", "/ws/v1/cluster/apps/" + appId, null);
        JsonNode a = root.path("app");
        if (a.isMissingNode()) return Optional.empty();
        return Optional.of(new App(a.path("id").asText(appId), a.path("user").asText(), a.path("queue").asText(),
                a.path("state").asText(), a.path("finalStatus").asText(), a.path("diagnostics").asText()));
    }

    /** The applications carrying this tag (YARN keeps tags lower-cased). */
    List<String> withTag(String tag) throws IOException {
        JsonNode root = request("GET", "/ws/v1/cluster/apps?applicationTags="
                + URLEncoder.encode(tag.toLowerCase(java.util.Locale.ROOT), StandardCharsets.UTF_8), null);
        List<String> ids = new ArrayList<>();
        for (JsonNode a : root.path("apps").path("app")) ids.add(a.path("id").asText());
        return ids;
    }

    /**
     * A launch's application as the launch follows it: found by its id in the submission log, else by the launch's
     * tag (spark.yarn.tags); failed once YARN ended it before the engine registered.
     */
    ProcessLaunch.ClusterApplications forLaunch(String tag) {
        return new ProcessLaunch.ClusterApplications() {
            @Override
            public Optional<String> idOf(String submissionLog) {
                Optional<String> id = idIn(submissionLog);
                if (id.isPresent()) return id;
                try {
                    return withTag(tag).stream().findFirst();
                } catch (IOException e) {
                    return Optional.empty();
                }
            }

            @Override
            public Optional<String> failure(String id) {
                try {
                    return app(id).filter(App::ended).map(a -> "The YARN application " + id + " of the engine ended "
                            + a.state() + " (final status " + a.finalStatus() + ") before the engine registered: "
                            + a.diagnostics());
                } catch (IOException e) {
                    return Optional.empty(); // cannot tell now; the initialize timeout still bounds the wait
                }
            }

            @Override
            public Optional<String> describe(String id) {
                try {
                    return app(id).map(a -> "YARN application " + id + " of " + a.user() + " in queue " + a.queue()
                            + " is " + a.state() + (a.diagnostics().isBlank() ? "" : ": " + a.diagnostics()));
                } catch (IOException e) {
                    return Optional.of("YARN application " + id + ": " + e.getMessage());
                }
            }

            @Override
            public Optional<String> kill(String id) {
                return YarnApplications.this.kill(id);
            }
        };
    }

    /** Asks the ResourceManager to kill the application; the reason it could not, or empty. */
    Optional<String> kill(String appId) {
        try {
            request("PUT", "/ws/v1/cluster/apps/" + appId + "/state", "{\"state\":\"KILLED\"}");
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    private JsonNode request(String method, String path, String body) throws IOException {
        IOException last = null;
        String sep = path.contains("?") ? "&" : "?";
        for (String address : webAddresses) {
            URI uri = URI.create("http://" + address + path + sep + "user.name="
                    + URLEncoder.encode(user, StandardCharsets.UTF_8));
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
            b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                    : b.header("Content-Type", "application/json")
                            .method(method, HttpRequest.BodyPublishers.ofString(body));
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 404 && body == null) return JSON.createObjectNode();
                if (r.statusCode() / 100 != 2) {
                    last = new IOException("the ResourceManager at " + address + " answered HTTP " + r.statusCode()
                            + " to " + method + " " + path + ": " + r.body().strip());
                    continue; // a standby ResourceManager redirects or refuses: try the next one
                }
                return JSON.readTree(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking the ResourceManager", e);
            } catch (IOException e) {
                last = new IOException("the ResourceManager at " + address + " did not answer: " + e.getMessage(), e);
            }
        }
        throw last != null ? last : new IOException("no ResourceManager address configured");
    }
}
