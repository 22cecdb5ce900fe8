package kitsune.frontend.thrift.impl;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.internal.kerberos.KerberosIdentity;
import kitsune.internal.kerberos.KeytabRelogin;
import kitsune.api.auth.Authenticator;
import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;
import kitsune.api.events.ServerEvents;
import kitsune.api.metrics.ServerMetrics;
import kitsune.api.registry.ServerEndpoint;
import kitsune.api.registry.ServerLifecycle;
import kitsune.api.session.ExecPool;
import kitsune.internal.exit.ServerExit;
import kitsune.internal.start.StartGate;
import kitsune.thrift.CliBackend;

/**
 * Runs the Thrift frontend while the server configuration exists, and announces it as a {@link ServerEndpoint}
 * service once its port accepts (the HA bundle registers the server in ZooKeeper then). The session service is a
 * dynamic reference: the frontend keeps its port while that bundle is replaced.
 */
@Component(configurationPid = ConfigKeys.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
public class ThriftFrontendComponent {
    private static final Logger LOG = LoggerFactory.getLogger(ThriftFrontendComponent.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CliBackend backend;

    /** Open once every bundle of the runtime has started (the condition below); logins wait for it. */
    private final StartGate runtimeStarted = StartGate.closed();

    @Reference(target = ServerLifecycle.RUNTIME_STARTED, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unsetRuntimeStarted")
    void setRuntimeStarted(Condition started) {
        runtimeStarted.open();
    }

    void unsetRuntimeStarted(Condition started) {
        // the runtime is stopping: nothing to wait for any more
    }

    /** Authenticators seen so far by type, also before activation (references bind first). */
    private final Map<Authenticator, String> authenticators = new ConcurrentHashMap<>();

    /** The metrics bundle's recorder while one is registered; the frontend serves the same without. */
    private final Recorder metrics = new Recorder();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetMetrics")
    void setMetrics(ServerMetrics m) {
        metrics.set(m);
    }

    void unsetMetrics(ServerMetrics m) {
        metrics.unset(m);
    }

    /** The audit and event log while one is registered; the frontend serves the same without. */
    private final AuditTrail events = new AuditTrail();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetEvents")
    void setEvents(ServerEvents e) {
        events.set(e);
    }

    void unsetEvents(ServerEvents e) {
        events.unset(e);
    }
    private volatile LoginCheck loginCheck;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeAuthenticator")
    void addAuthenticator(Authenticator authenticator, Map<String, Object> properties) {
        String type = String.valueOf(properties.get(Authenticator.AUTH_TYPE));
        authenticators.put(authenticator, type);
        LoginCheck check = loginCheck;
        if (check != null) check.add(authenticator, type);
    }

    void removeAuthenticator(Authenticator authenticator, Map<String, Object> properties) {
        String type = authenticators.remove(authenticator);
        LoginCheck check = loginCheck;
        if (check != null && type != null) check.remove(authenticator, type);
    }

    private FrontendSettings settings;
    private ThriftFrontendServer server;
    /** The Thrift HTTP frontend, when kyuubi.frontend.protocols has THRIFT_HTTP. */
    private ThriftHttpServer http;
    private ServiceRegistration<ServerEndpoint> registration;
    private ServiceRegistration<ExecPool> execPool;
    /** Renews the keytab logins (kyuubi.kinit.interval); empty without Kerberos. */
    private final java.util.List<KeytabRelogin> relogins = new java.util.ArrayList<>();

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        try {
            KitsuneConf conf = KitsuneConf.fromProperties(properties);
            settings = FrontendSettings.from(conf);
            loginCheck = new LoginCheck(settings.plainType(), runtimeStarted, metrics, events);
            authenticators.forEach(loginCheck::add);
            KerberosIdentity kerberos = null;
            if (settings.kerberos()) {
                kerberos = KerberosIdentity.login(conf.get(ConfigKeys.KINIT_PRINCIPAL),
                        conf.get(ConfigKeys.KINIT_KEYTAB), localHostName(settings))
                        .withAuthToLocal(conf.get(ConfigKeys.AUTH_TO_LOCAL));
                LOG.info("Kerberos (GSSAPI) logins on the Thrift binary port as {}; clients add ;principal={} to the "
                        + "JDBC URL", kerberos.principal(), kerberos.principal());
                relogins.add(relogin(kerberos, conf));
            }
            server = new ThriftFrontendServer(settings, () -> backend, loginCheck, kerberos, metrics);
            server.start();
            if (conf.get(ConfigKeys.FRONTEND_PROTOCOLS).contains("THRIFT_HTTP")) {
                KerberosIdentity spnego = null;
                if (settings.kerberos()) {
                    spnego = KerberosIdentity.login(conf.get(ConfigKeys.SPNEGO_PRINCIPAL),
                            conf.get(ConfigKeys.SPNEGO_KEYTAB), localHostName(settings),
                            ConfigKeys.SPNEGO_PRINCIPAL.name(), ConfigKeys.SPNEGO_KEYTAB.name(),
                            "HTTP/_HOST@EXAMPLE.COM").withAuthToLocal(conf.get(ConfigKeys.AUTH_TO_LOCAL));
                    LOG.info("Kerberos (SPNEGO) logins on the Thrift HTTP transport as {}; clients add ;principal={} "
                            + "to the JDBC URL", spnego.principal(), spnego.principal());
                    relogins.add(relogin(spnego, conf));
                }
                try {
                    http = new ThriftHttpServer(settings, conf, () -> backend, loginCheck, spnego, metrics);
                } catch (LinkageError noJetty) {
                    throw new FrontendStartException("Cannot start the Thrift HTTP frontend (THRIFT_HTTP in "
                            + ConfigKeys.FRONTEND_PROTOCOLS.name() + "): it runs on Jetty, which the bundle "
                            + "org.apache.felix.http.jetty12 provides, and that bundle is not installed", noJetty);
                }
                http.start();
            }
        } catch (FrontendStartException | ConfigException e) {
            // One line for the operator; no stack trace. Without its ports the server is of no use: stop it.
            if (server != null) server.stop(STOP_TIMEOUT);
            server = null;
            http = null;
            relogins.forEach(KeytabRelogin::close);
            relogins.clear();
            ServerExit.fatal(context, e.getMessage(), ServerExit.EX_CONFIG);
            return;
        }
        registration = context.registerService(ServerEndpoint.class, server.endpoint(), null);
        ThriftFrontendServer running = server;
        execPool = context.registerService(ExecPool.class, running::execPool, null);
        if (settings.tls().enabled()) {
            LOG.info("The Thrift port speaks TLS with {}: clients add ;ssl=true (and a trust store) to the JDBC URL",
                    settings.tls());
        }
        // the ready line (Starting and exposing JDBC connection at: ...) is the HA bundle's: it is logged once this
        // server is registered in ZooKeeper and every bundle has started
        LOG.info("Thrift frontend accepting at: {}", server.jdbcUrl());
        if (http != null) LOG.info("Starting and exposing JDBC connection over HTTP at: {}", http.url());
    }

    /** Renews the identity's login from its keytab every kyuubi.kinit.interval, on a thread of its own. */
    private static KeytabRelogin relogin(KerberosIdentity identity, KitsuneConf conf) {
        KeytabRelogin r = new KeytabRelogin(identity.principal(), identity::relogin,
                conf.get(ConfigKeys.KINIT_INTERVAL), conf.get(ConfigKeys.KINIT_MAX_ATTEMPTS));
        r.start(java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                kitsune.internal.threads.NamedThreads.daemon("kitsune-kinit")));
        return r;
    }

    /** What _HOST stands for in kyuubi.kinit.principal: the bind host when one is set, else this machine's name. */
    private static String localHostName(FrontendSettings settings) {
        if (!settings.bindHost().isEmpty() && !settings.bindHost().equals("0.0.0.0")) return settings.bindHost();
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.net.UnknownHostException e) {
            return settings.advertisedHost();
        }
    }

    /** Frontend keys need a restart (kyuubi.frontend.* are restart keys); other keys do not concern this bundle. */
    @Modified
    void modified(Map<String, Object> properties) {
        try {
            FrontendSettings changed = FrontendSettings.from(KitsuneConf.fromProperties(properties));
            if (settings != null && !changed.equals(settings)) {
                LOG.warn("Changed kyuubi.frontend.* / kyuubi.authentication settings take effect after a restart; "
                        + "the frontend keeps serving at {}", server == null ? "nothing" : server.jdbcUrl());
            }
        } catch (ConfigException e) {
            LOG.warn("Ignoring the new frontend configuration: {}", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        relogins.forEach(KeytabRelogin::close);
        relogins.clear();
        for (ServiceRegistration<?> r : java.util.Arrays.asList(registration, execPool)) {
            if (r == null) continue;
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters it itself when the bundle stops
            }
        }
        registration = null;
        execPool = null;
        if (http != null) {
            http.stop(STOP_TIMEOUT);
            http = null;
        }
        if (server != null) {
            server.stop(STOP_TIMEOUT);
            LOG.info("Thrift frontend at {} stopped", server.jdbcUrl());
            server = null;
        }
    }
}
