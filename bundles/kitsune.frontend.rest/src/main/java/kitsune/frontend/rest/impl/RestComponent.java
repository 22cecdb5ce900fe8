package kitsune.frontend.rest.impl;

import java.time.Clock;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.condition.Condition;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.auth.Authenticator;
import kitsune.api.batch.BatchLauncher;
import kitsune.api.batch.BatchStore;
import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.events.ServerEvents;
import kitsune.api.registry.Discovery;
import kitsune.api.registry.ServerEndpoint;
import kitsune.api.registry.ServerLifecycle;
import kitsune.api.session.ExecPool;
import kitsune.api.session.SessionManager;
import kitsune.internal.cookie.AuthCookies;
import kitsune.internal.exit.ServerExit;
import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.internal.kerberos.KeytabRelogin;
import kitsune.internal.start.StartGate;
import kitsune.internal.threads.NamedThreads;
import kitsune.thrift.CliBackend;

/**
 * Kyuubi's REST API, when kyuubi.frontend.protocols lists REST: a servlet at /api/v1 registered with the HTTP
 * whiteboard of the Felix HTTP service that kitsune.console puts on kyuubi.frontend.rest.bind.host/port (HTTPS with
 * kitsune.console.ssl.enabled). The session service and the authenticators are dynamic references: the API stays
 * while their bundles are replaced (and answers 503 / refuses logins meanwhile).
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
public class RestComponent {
    static final String PATH = "/api/v1";
    private static final Logger LOG = LoggerFactory.getLogger(RestComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CliBackend backend;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SessionManager sessionManager;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Discovery discovery;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BatchStore batchStore;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + BatchLauncher.BATCH_TYPE + "=SPARK)")
    private volatile BatchLauncher batchLauncher;

    /** This server's Thrift endpoint: its identity in ZooKeeper, and the owner named in its batches' rows. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerEndpoint endpoint;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ExecPool execPool;

    private volatile Batches batches;
    private volatile Forwarding forwarding;

    private final StartGate runtimeStarted = StartGate.closed();

    @Reference(target = ServerLifecycle.RUNTIME_STARTED, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unsetRuntimeStarted")
    void setRuntimeStarted(Condition started) {
        runtimeStarted.open();
    }

    void unsetRuntimeStarted(Condition started) {
        // stopping: nothing to wait for
    }

    /** The audit log (logins), while the metrics bundle's event service is there. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerEvents events;

    private static final ServerEvents NO_EVENTS = new ServerEvents() {
    };

    /** Renews the SPNEGO identity's login from its keytab (kyuubi.kinit.interval); null without Kerberos. */
    private KeytabRelogin relogin;

    private final Map<Authenticator, String> authenticators = new ConcurrentHashMap<>();
    private volatile RestLogin login;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAuthenticator")
    void addAuthenticator(Authenticator authenticator, Map<String, Object> properties) {
        String type = String.valueOf(properties.get(Authenticator.AUTH_TYPE));
        authenticators.put(authenticator, type);
        RestLogin l = login;
        if (l != null) l.add(authenticator, type);
    }

    void removeAuthenticator(Authenticator authenticator, Map<String, Object> properties) {
        String type = authenticators.remove(authenticator);
        RestLogin l = login;
        if (l != null && type != null) l.remove(authenticator, type);
    }

    /** Logs where the API answers once the HTTP runtime has an endpoint. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeRuntime", updated = "addRuntime")
    void addRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        runtimeProperties = properties;
        announce();
    }

    void removeRuntime(HttpServiceRuntime runtime, Map<String, Object> properties) {
        // the HTTP service restarts on another endpoint, or stops
    }

    private volatile Map<String, Object> runtimeProperties;
    private volatile String announced;
    private volatile List<String> administrators = List.of();
    private volatile KitsuneConf conf;
    private ServiceRegistration<?> registration;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        KitsuneConf conf = KitsuneConf.fromProperties(properties);
        this.conf = conf;
        administrators = conf.get(ConfigKeys.SERVER_ADMINISTRATORS);
        if (!conf.get(ConfigKeys.FRONTEND_PROTOCOLS).contains("REST")) {
            LOG.debug("No REST frontend: {} does not list REST", ConfigKeys.FRONTEND_PROTOCOLS.name());
            return;
        }
        KerberosIdentity spnego = null;
        AuthCookies cookies;
        try {
            if (conf.get(ConfigKeys.AUTHENTICATION).stream().anyMatch(a -> RestLogin.KERBEROS.equalsIgnoreCase(
                    a.trim()))) {
                spnego = KerberosIdentity.login(conf.get(ConfigKeys.SPNEGO_PRINCIPAL), conf.get(ConfigKeys.SPNEGO_KEYTAB),
                        localHostName(conf), ConfigKeys.SPNEGO_PRINCIPAL.name(), ConfigKeys.SPNEGO_KEYTAB.name(),
                        "HTTP/_HOST@EXAMPLE.COM").withAuthToLocal(conf.get(ConfigKeys.AUTH_TO_LOCAL));
            }
            cookies = AuthCookies.from(conf, Clock.systemUTC(), AuthCookies.REST, PATH);
        } catch (ConfigException | IllegalArgumentException e) {
            // one line for the operator, as the Thrift frontend stops on a wrong Kerberos or cookie setting
            ServerExit.fatal(context, "Cannot start the REST frontend: " + e.getMessage(), ServerExit.EX_CONFIG);
            return;
        }
        if (spnego != null) {
            KerberosIdentity identity = spnego;
            relogin = new KeytabRelogin(identity.principal(), identity::relogin, conf.get(ConfigKeys.KINIT_INTERVAL),
                    conf.get(ConfigKeys.KINIT_MAX_ATTEMPTS));
            relogin.start(Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("kitsune-rest-kinit")));
        }
        login = new RestLogin(conf.get(ConfigKeys.AUTHENTICATION), runtimeStarted, spnego, cookies, () -> {
            ServerEvents e = events;
            return e == null ? NO_EVENTS : e;
        });
        authenticators.forEach(login::add);
        Forwarding fwd = Forwarding.from(conf, Clock.systemUTC());
        forwarding = fwd;
        if (!fwd.enabled()) {
            LOG.info("Batch requests for batches of other servers are not forwarded ({} is empty: the servers share "
                    + "no key to sign the forwarded caller with)", ConfigKeys.THRIFT_HTTP_COOKIE_SECRETS.name());
        }
        Batches b = new Batches(() -> batchStore, () -> batchLauncher, () -> discovery, () -> sessionManager,
                () -> this.conf, () -> {
                    ServerEndpoint e = endpoint;
                    return e == null ? null : e.hostPort();
                }, this::advertisedApi, Clock.systemUTC());
        batches = b;
        b.start();
        RestApi api = new RestApi(() -> backend, () -> sessionManager, () -> administrators, () -> discovery,
                () -> this.conf, () -> batches, Clock.systemUTC()).forwarding(() -> forwarding)
                .execPool(() -> execPool);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.pattern", new String[] {PATH, PATH + "/*"});
        props.put("osgi.http.whiteboard.servlet.name", "kitsune-rest");
        // batch uploads: parsed by the HTTP service into the owner-only upload directory, bounded there
        BatchUpload.Limits limits = BatchUpload.Limits.of(conf);
        Uploads uploads = Uploads.of(conf);
        try {
            uploads.prepareRoot();
            props.put("osgi.http.whiteboard.servlet.multipart.enabled", Boolean.TRUE);
            props.put("osgi.http.whiteboard.servlet.multipart.location", uploads.root().toString());
            // the larger file bound and every part; BatchUpload checks each part against its own key
            props.put("osgi.http.whiteboard.servlet.multipart.maxFileSize", limits.parserMaxFileSize());
            props.put("osgi.http.whiteboard.servlet.multipart.maxRequestSize", limits.maxRequestSize());
            props.put("osgi.http.whiteboard.servlet.multipart.maxFileCount", limits.maxParts());
        } catch (java.io.IOException e) {
            LOG.error("Batch uploads are off: cannot create their directory {}", uploads.root(), e);
        }
        boolean uploadsReady = props.get("osgi.http.whiteboard.servlet.multipart.enabled") != null;
        registration = context.registerService(jakarta.servlet.Servlet.class,
                new RestServlet(api.router(), login, conf.get(ConfigKeys.PROXY_HTTP_CLIENT_IP_HEADER), fwd)
                        .uploads(() -> uploadsReady && this.conf.get(ConfigKeys.BATCH_RESOURCE_UPLOAD_ENABLED),
                                limits), props);
        LOG.info("REST frontend registered at {} (logins: {}; administrators: {})", PATH, login.describe(),
                administrators.isEmpty() ? "none" : String.join(",", administrators));
        announce();
    }

    @Modified
    void modified(Map<String, Object> properties) {
        KitsuneConf conf = KitsuneConf.fromProperties(properties);
        this.conf = conf;
        administrators = conf.get(ConfigKeys.SERVER_ADMINISTRATORS);
    }

    @Deactivate
    void deactivate() {
        Batches b = batches;
        batches = null;
        if (b != null) b.stop();
        Forwarding f = forwarding;
        forwarding = null;
        if (f != null) f.close();
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // bundle stopping
            }
            registration = null;
        }
        login = null;
        if (relogin != null) relogin.close();
        relogin = null;
    }

    /** What _HOST stands for in kyuubi.spnego.principal: the REST bind host when one is set, else this machine's name. */
    private static String localHostName(KitsuneConf conf) {
        String bind = conf.get(ConfigKeys.REST_BIND_HOST).trim();
        if (!bind.isEmpty() && !bind.equals("0.0.0.0")) return bind;
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * The REST API's URL as the other servers reach it: the HTTP endpoint, with the Thrift endpoint's advertised host
     * when the endpoint names every interface; null until both are known.
     */
    private String advertisedApi() {
        String url = announced;
        ServerEndpoint e = endpoint;
        if (url == null || e == null) return null;
        try {
            java.net.URI u = java.net.URI.create(url);
            String host = u.getHost();
            if (host == null || host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::")) {
                String h = e.host().indexOf(':') >= 0 && !e.host().startsWith("[") ? "[" + e.host() + "]" : e.host();
                return new java.net.URI(u.getScheme(), null, h.startsWith("[") ? h.substring(1, h.length() - 1) : h,
                        u.getPort(), u.getPath(), null, null).toString();
            }
            return url;
        } catch (IllegalArgumentException | java.net.URISyntaxException bad) {
            return null;
        }
    }

    private void announce() {
        Map<String, Object> props = runtimeProperties;
        if (registration == null || props == null) return;
        Object endpoints = props.get("osgi.http.endpoint");
        String first = endpoints instanceof String[] a && a.length > 0 ? a[0]
                : endpoints instanceof Collection<?> c && !c.isEmpty() ? String.valueOf(c.iterator().next())
                : endpoints instanceof String s ? s : null;
        if (first == null) return;
        String url = (first.endsWith("/") ? first.substring(0, first.length() - 1) : first) + PATH;
        if (!url.equals(announced)) {
            announced = url;
            LOG.info("REST API at {}", url);
        }
    }
}
