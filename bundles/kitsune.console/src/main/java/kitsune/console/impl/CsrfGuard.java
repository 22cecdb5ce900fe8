package kitsune.console.impl;

import java.io.IOException;

import org.osgi.service.servlet.whiteboard.Preprocessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Refuses cross-site state-changing requests (see {@link CsrfCheck}) on the whole HTTP service: a whiteboard
 * preprocessor runs before any servlet context, so every page of the Web Console (bundle actions, uploads,
 * configuration, the Kitsune page) is covered, not only Kitsune's own, and before the console's login is checked.
 * Kyuubi's REST API (/api/v1, bundle kitsune.frontend.rest) is left to its own guard: its clients are scripts that
 * send no Origin, and it takes state-changing bodies only as JSON, which no cross-site form can send.
 */
final class CsrfGuard implements Preprocessor {
    private static final Logger LOG = LoggerFactory.getLogger(CsrfGuard.class);

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest req && response instanceof HttpServletResponse resp) {
            String refused = refusal(req);
            if (refused != null) {
                LOG.warn("{} {} from {}: {}", req.getMethod(), req.getRequestURI(), req.getRemoteAddr(), refused);
                resp.sendError(HttpServletResponse.SC_FORBIDDEN, refused);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    static String refusal(HttpServletRequest req) {
        if (CsrfCheck.isRestApi(req.getRequestURI())) return null;
        return CsrfCheck.refusal(req.getMethod(), req.getScheme(), req.getHeader("Host"), req.getHeader("Origin"),
                req.getHeader("Referer"), req.getHeader(CsrfCheck.XSRF_HEADER));
    }

    @Override
    public void init(jakarta.servlet.FilterConfig filterConfig) {
    }

    @Override
    public void destroy() {
    }
}
