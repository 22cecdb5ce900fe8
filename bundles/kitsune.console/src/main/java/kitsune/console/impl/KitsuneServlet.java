package kitsune.console.impl;

import static kitsune.console.impl.Text.html;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import kitsune.api.registry.DiscoveryException;
import kitsune.api.session.SessionInfo;

/**
 * The Kitsune page of the Web Console at /system/console/kitsune (HTML, inside the console's chrome) and
 * /system/console/kitsune.json (the same data as JSON, for scripts and tests). Actions are POSTs with
 * {@code action=drain|close-session|stop-engine}; the console's authentication protects them. Every value shown is
 * HTML-escaped.
 */
final class KitsuneServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final transient KitsuneOverview overview;

    KitsuneServlet(KitsuneOverview overview) {
        this.overview = overview;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        if (wantsJson(req)) {
            resp.setContentType("application/json");
            resp.setCharacterEncoding("UTF-8");
            resp.getWriter().write(jsonView());
            return;
        }
        // inside the console's page: the console wrote the head and writes the foot
        resp.setCharacterEncoding("UTF-8");
        renderHtml(req, resp.getWriter());
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String refused = CsrfGuard.refusal(req);
        if (refused != null) {
            // the guard in front of the HTTP service refuses this already; kept here so the page never acts without it
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, refused);
            return;
        }
        String action = req.getParameter("action");
        KitsuneOverview.Result result;
        try {
            if ("drain".equals(action)) {
                result = overview.drain();
            } else if ("close-session".equals(action)) {
                result = overview.closeSession(req.getParameter("session"));
            } else if ("stop-engine".equals(action)) {
                result = overview.stopEngine(req.getParameter("engine"));
            } else {
                result = new KitsuneOverview.Result(false, "Unknown action: " + action
                        + " (drain, close-session or stop-engine)");
            }
        } catch (DiscoveryException e) {
            result = new KitsuneOverview.Result(false, e.getMessage());
        }
        resp.setHeader("Cache-Control", "no-store");
        if (wantsJson(req)) {
            resp.setStatus(result.ok() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_CONFLICT);
            resp.setContentType("application/json");
            resp.setCharacterEncoding("UTF-8");
            JSON.writeValue(resp.getWriter(), JSON.createObjectNode().put("ok", result.ok()).put("message", result.message()));
            return;
        }
        // Post/Redirect/Get: the page shows the outcome once, a reload does not repeat the action
        String page = req.getContextPath() + req.getServletPath() + "/" + ConsolePlugin.LABEL;
        String target = page + "?" + (result.ok() ? "done=" : "failed=")
                + java.net.URLEncoder.encode(result.message(), java.nio.charset.StandardCharsets.UTF_8);
        resp.sendRedirect(target);
    }

    private static boolean wantsJson(HttpServletRequest req) {
        String uri = req.getRequestURI();
        return (uri != null && uri.endsWith(".json")) || "json".equals(req.getParameter("format"));
    }

    private void renderHtml(HttpServletRequest req, PrintWriter out) {
        String self = req.getContextPath() + req.getServletPath() + "/" + ConsolePlugin.LABEL;
        String done = req.getParameter("done");
        String failed = req.getParameter("failed");
        out.println("<div id='kitsune'>");
        if (done != null) out.println("<p class='statline ui-state-highlight'>" + html(done) + "</p>");
        if (failed != null) out.println("<p class='statline ui-state-error'>" + html(failed) + "</p>");

        String ns = overview.namespace();
        out.println("<h3>Servers in namespace " + html(ns) + "</h3>");
        try {
            List<KitsuneOverview.ServerRow> servers = overview.servers();
            out.println("<table class='tablesorter nicetable' id='kitsune-servers'><thead><tr><th>Host</th>"
                    + "<th>Port</th><th>Version</th><th>Znode</th><th></th></tr></thead><tbody>");
            for (KitsuneOverview.ServerRow s : servers) {
                out.println("<tr><td>" + html(s.host()) + "</td><td>" + s.port() + "</td><td>" + html(s.version())
                        + "</td><td>" + html(s.znode()) + "</td><td>" + (s.self() ? "this server" : "")
                        + "</td></tr>");
            }
            out.println("</tbody></table><p>" + servers.size() + " server(s)</p>");
        } catch (DiscoveryException e) {
            out.println("<p class='ui-state-error'>" + html(e.getMessage()) + "</p>");
        }
        out.println("<form method='post' action='" + html(self) + "' onsubmit=\"return confirm("
                + "'Drain this server? It refuses new sessions and stops after its last one.')\">"
                + "<input type='hidden' name='action' value='drain'>"
                + "<button type='submit' id='kitsune-drain'>Drain this server (" + html(overview.self())
                + ")</button></form>");

        out.println("<h3>Sessions of this server</h3>");
        if (!overview.hasSessionManager()) {
            out.println("<p class='ui-state-error'>No session manager is running</p>");
        } else {
            List<KitsuneOverview.SessionRow> sessions = overview.sessions();
            out.println("<table class='tablesorter nicetable' id='kitsune-sessions'><thead><tr><th>Id</th>"
                    + "<th>User</th><th>Client</th><th>Engine</th><th>Age</th><th>Idle</th><th>Operations</th>"
                    + "<th></th></tr></thead><tbody>");
            for (KitsuneOverview.SessionRow r : sessions) {
                SessionInfo s = r.info();
                out.println("<tr><td>" + html(s.id()) + "</td><td>" + html(s.user()) + "</td><td>"
                        + html(s.clientAddress()) + "</td><td>" + html(s.engine()) + "</td><td>"
                        + html(KitsuneOverview.human(r.age())) + "</td><td>" + html(KitsuneOverview.human(r.idle()))
                        + "</td><td>" + s.openOperations() + "</td><td><form method='post' action='" + html(self)
                        + "'><input type='hidden' name='action' value='close-session'><input type='hidden' "
                        + "name='session' value='" + html(s.id()) + "'><button type='submit'>Close</button></form>"
                        + "</td></tr>");
            }
            out.println("</tbody></table><p>" + sessions.size() + " session(s)</p>");
        }

        out.println("<h3>Engines in namespace " + html(ns) + "</h3>");
        try {
            List<EngineTree.EngineRow> engines = overview.engines();
            out.println("<table class='tablesorter nicetable' id='kitsune-engines'><thead><tr><th>User</th>"
                    + "<th>Share level</th><th>Subdomain</th><th>Engine</th><th>Space version</th><th>Type</th>"
                    + "<th>Application</th><th>Master</th><th>Age</th><th>Znode</th><th></th></tr></thead><tbody>");
            for (EngineTree.EngineRow e : engines) {
                out.println("<tr><td>" + html(e.user()) + "</td><td>" + html(e.shareLevel()) + "</td><td>"
                        + html(e.subdomain()) + "</td><td>" + html(e.hostPort()) + "</td><td>"
                        + html(e.versionSlot()) + "</td><td>" + html(e.engineType()) + "</td><td>"
                        + html(e.application()) + "</td><td>" + html(e.master()) + "</td><td>"
                        + html(KitsuneOverview.human(e.age())) + "</td><td>" + html(e.znode()) + "</td><td>"
                        + "<form method='post' action='" + html(self) + "' onsubmit=\"return confirm('Stop this "
                        + "engine? Its sessions fail.')\"><input type='hidden' name='action' value='stop-engine'>"
                        + "<input type='hidden' name='engine' value='" + html(e.znode()) + "'><button "
                        + "type='submit'>Stop</button></form></td></tr>");
            }
            out.println("</tbody></table><p>" + engines.size() + " engine(s)</p>");
        } catch (DiscoveryException e) {
            out.println("<p class='ui-state-error'>" + html(e.getMessage()) + "</p>");
        }
        out.println("</div>");
    }

    private String jsonView() throws IOException {
        ObjectNode view = JSON.createObjectNode();
        view.put("namespace", overview.namespace());
        view.put("self", overview.self());
        view.put("time", Instant.now().toString());
        ArrayNode servers = view.putArray("servers");
        try {
            for (KitsuneOverview.ServerRow s : overview.servers()) {
                servers.addObject().put("host", s.host()).put("port", s.port()).put("version", s.version())
                        .put("znode", s.znode()).put("self", s.self());
            }
        } catch (DiscoveryException e) {
            view.put("serversError", e.getMessage());
        }
        ArrayNode sessions = view.putArray("sessions");
        for (KitsuneOverview.SessionRow r : overview.sessions()) {
            SessionInfo s = r.info();
            sessions.addObject().put("id", s.id()).put("user", s.user()).put("clientAddress", s.clientAddress())
                    .put("engine", s.engine()).put("opened", text(s.opened())).put("lastAccess", text(s.lastAccess()))
                    .put("ageSeconds", r.age().toSeconds()).put("idleSeconds", r.idle().toSeconds())
                    .put("openOperations", s.openOperations());
        }
        ArrayNode engines = view.putArray("engines");
        try {
            for (EngineTree.EngineRow e : overview.engines()) {
                engines.addObject().put("user", e.user()).put("shareLevel", e.shareLevel())
                        .put("subdomain", e.subdomain()).put("engineType", e.engineType())
                        .put("versionSlot", e.versionSlot()).put("hostPort", e.hostPort()).put("refId", e.refId())
                        .put("application", e.application()).put("master", e.master()).put("znode", e.znode())
                        .put("created", text(e.created()));
            }
        } catch (DiscoveryException e) {
            view.put("enginesError", e.getMessage());
        }
        return JSON.writeValueAsString(view);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
