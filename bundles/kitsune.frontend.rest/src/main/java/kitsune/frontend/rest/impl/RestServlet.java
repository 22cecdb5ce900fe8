package kitsune.frontend.rest.impl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import kitsune.internal.text.LogText;

/**
 * /api/v1/*: logs the caller in ({@link RestLogin}: cookie, SPNEGO or HTTP Basic), routes the request, reads its JSON body (bounded) and writes the
 * handler's answer as JSON. Errors are JSON too, {"message": "..."}, one line naming the cause; nothing a client
 * sends produces a stack trace in the answer.
 */
final class RestServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RestServlet.class);
    /** The largest JSON body read: a statement and its settings (a batch's uploaded file is BatchUpload's). */
    static final int MAX_BODY = 1 << 20;
    static final String JSON = "application/json";
    private static final Set<String> WITH_BODY = Set.of("POST", "PUT");

    private final transient Router router;
    private final transient RestLogin login;
    private final transient ObjectMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The header holding the client's address (kyuubi.frontend.proxy.http.client.ip.header), or null. */
    private final String clientIpHeader;

    /** Trust of requests forwarded by another server of the namespace. */
    private final transient Forwarding forwarding;

    RestServlet(Router router, RestLogin login, String clientIpHeader) {
        this(router, login, clientIpHeader, null);
    }

    /** Whether batch uploads are accepted now (kyuubi.batch.resource.upload.enabled). */
    private transient java.util.function.BooleanSupplier uploadsEnabled = () -> false;
    /** kyuubi.batch.resource.file.max.size as the servlet was registered with it (0 or less: no limit). */
    private BatchUpload.Limits uploadLimits = new BatchUpload.Limits(0, 0, 0);

    RestServlet(Router router, RestLogin login, String clientIpHeader, Forwarding forwarding) {
        this.router = router;
        this.login = login;
        this.forwarding = forwarding;
        this.clientIpHeader = clientIpHeader == null || clientIpHeader.isBlank() ? null : clientIpHeader.trim();
    }

    /**
     * Accepts batch uploads (multipart POST /batches) while {@code enabled}, within {@code limits}; the servlet must
     * be registered with the same limits for the HTTP service's multipart parser.
     */
    RestServlet uploads(java.util.function.BooleanSupplier enabled, BatchUpload.Limits limits) {
        this.uploadsEnabled = enabled;
        this.uploadLimits = limits;
        return this;
    }

    /**
     * The client's address: the socket's, or, behind a proxy configured to set it, the header's when it holds an IP
     * address (the last one of a list: the one the nearest proxy added); anything else in it is ignored.
     */
    private String clientAddress(HttpServletRequest req) {
        return clientIpHeader == null ? req.getRemoteAddr()
                : clientAddress(req.getHeader(clientIpHeader), req.getRemoteAddr());
    }

    static String clientAddress(String header, String socket) {
        if (header == null || header.isBlank()) return socket;
        String[] parts = header.split(",");
        String last = parts[parts.length - 1].trim();
        return IP.matcher(last).matches() && (last.indexOf('.') >= 0 || last.indexOf(':') >= 0) ? last : socket;
    }

    private static final java.util.regex.Pattern IP = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String method = req.getMethod();
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        String user = null;
        boolean forwarded = false;
        BatchUpload upload = null;
        try {
            Router.Match match = router.match(method, path);
            String fwdUser = req.getHeader(Forwarding.USER);
            String fwdSignature = req.getHeader(Forwarding.SIGNATURE);
            if (fwdUser != null || fwdSignature != null) {
                // a forwarding header is never ignored: it is either a server of the namespace or refused
                if (forwarding == null) {
                    throw new RestLogin.Refused("Forwarded request refused: only a server of this namespace may "
                            + "forward a request", "forwarding is off on this server");
                }
                String uri = req.getRequestURI() + (req.getQueryString() == null ? "" : "?" + req.getQueryString());
                user = forwarding.verify(fwdUser, fwdSignature, method.toUpperCase(Locale.ROOT), uri);
                forwarded = true;
            } else if (!match.open()) {
                RestLogin.Login l = login.login(req.getHeader("Authorization"), cookies(req), clientAddress(req),
                        req.isSecure());
                user = l.user();
                // later requests show the cookie instead of a password or a Kerberos token
                if (l.setCookie() != null) resp.addHeader("Set-Cookie", l.setCookie());
                if (l.negotiateReply() != null) resp.setHeader("WWW-Authenticate", l.negotiateReply());
            }
            byte[] body;
            if (BatchUpload.isUpload(method, Router.split(path), req.getContentType())) {
                upload = BatchUpload.read(req, uploadsEnabled.getAsBoolean(), uploadLimits);
                body = upload.batchRequest();
            } else {
                body = WITH_BODY.contains(method.toUpperCase(Locale.ROOT)) ? body(req, path) : new byte[0];
            }
            Call call = new Call(user, clientAddress(req), instance(req), match.params(), req.getParameterMap(),
                    body, mapper, forwarded, upload == null ? null : upload.files());
            Object result = match.handler().handle(call);
            if (result instanceof Forwarding.Relayed r) {
                // the owner's answer, as it gave it (it is JSON like ours: a batch, a log or a message)
                resp.setStatus(r.status());
                resp.setContentType(r.contentType());
                resp.setHeader("Cache-Control", "no-store");
                resp.setHeader("X-Content-Type-Options", "nosniff");
                resp.setContentLength(r.body().length);
                resp.getOutputStream().write(r.body());
            } else if (result instanceof String text) {
                resp.setStatus(200);
                resp.setContentType("text/plain;charset=utf-8");
                resp.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            } else if (result == null) {
                resp.setStatus(200);
                resp.setContentLength(0);
            } else {
                write(resp, 200, result);
            }
        } catch (RestLogin.Refused e) {
            boolean asForwarded = req.getHeader(Forwarding.USER) != null || req.getHeader(Forwarding.SIGNATURE) != null;
            LOG.warn("REST {} refused from {} for {} {}: {}", asForwarded ? "forwarded request" : "login",
                    req.getRemoteAddr(), method, LogText.of(path), LogText.of(e.detail()));
            for (String challenge : login.challenges()) resp.addHeader("WWW-Authenticate", challenge);
            write(resp, 401, new Dto.Message(e.getMessage()));
        } catch (Router.MethodNotAllowed e) {
            resp.setHeader("Allow", e.allow());
            write(resp, 405, new Dto.Message(e.getMessage()));
        } catch (RestException e) {
            if (e.status() == 500 || e.status() == 502) {
                LOG.warn("{} {} of {} from {}: {} {}", method, LogText.of(path), user, req.getRemoteAddr(),
                        e.status(), LogText.of(e.getMessage()));
            } else {
                LOG.debug("{} {} of {}: {} {}", method, LogText.of(path), user, e.status(),
                        LogText.of(e.getMessage()));
            }
            write(resp, e.status(), new Dto.Message(e.getMessage()));
        } catch (Exception e) {
            LOG.error("{} {} of {} from {} failed", method, LogText.of(path), user, req.getRemoteAddr(), e);
            write(resp, 500, new Dto.Message("Internal error of the REST frontend (" + e.getClass().getSimpleName()
                    + "); the server log has the details"));
        } finally {
            if (upload != null) upload.close();
        }
    }

    /** The request's Cookie headers. */
    private static java.util.List<String> cookies(HttpServletRequest req) {
        java.util.Enumeration<String> headers = req.getHeaders("Cookie");
        return headers == null ? java.util.List.of() : java.util.Collections.list(headers);
    }

    /**
     * The body of a POST or PUT: JSON only (a form or text body is what a cross-site page can make a browser send
     * with its stored credentials, so it is refused before anything runs), at most {@link #MAX_BODY} bytes. Only
     * calls on an existing handle (which a cross-site page cannot know) may come without a body and without a type;
     * opening a session always needs the JSON type.
     */
    private static byte[] body(HttpServletRequest req, String path) throws IOException, RestException {
        String type = req.getContentType();
        long length = req.getContentLengthLong();
        boolean json = type != null && type.toLowerCase(Locale.ROOT).trim().startsWith(JSON);
        String[] parts = Router.split(path);
        boolean opensSession = java.util.Arrays.equals(parts, new String[] {"sessions"})
                || java.util.Arrays.equals(parts, new String[] {"batches"});
        if (!json && (type != null || length != 0 || opensSession)) {
            throw new RestException(415, "The request body must be JSON: send Content-Type: " + JSON
                    + (type == null ? "" : " (not " + LogText.of(type) + ")")
                    + (opensSession && parts[0].equals("batches") ? ", or multipart/form-data with the parts "
                    + BatchUpload.REQUEST_PART + " and " + BatchUpload.FILE_PART : ""));
        }
        if (length > MAX_BODY) {
            throw new RestException(413, "Request body too large: " + length + " bytes, at most " + MAX_BODY);
        }
        try (InputStream in = req.getInputStream()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new RestException(413, "Request body too large: more than " + MAX_BODY + " bytes");
            }
            return b;
        }
    }

    private void write(HttpServletResponse resp, int status, Object body) throws IOException {
        if (resp.isCommitted()) return;
        resp.setStatus(status);
        resp.setContentType(JSON + ";charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        byte[] bytes = mapper.writeValueAsBytes(body);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /** host:port this request reached (Kyuubi's kyuubiInstance), from the socket, not from the Host header. */
    private static String instance(HttpServletRequest req) {
        String host = req.getLocalAddr();
        if (host != null && host.indexOf(':') >= 0) host = "[" + host + "]";
        return host + ":" + req.getLocalPort();
    }
}
