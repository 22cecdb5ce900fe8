package kitsune.frontend.thrift.impl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kitsune.api.conf.ConfigKeys;
import kitsune.api.conf.KitsuneConf;

/**
 * What the frontend reads from the configuration, resolved once.
 *
 * @param bindHost       the address to bind, empty for every interface
 * @param advertisedHost the host clients are told to use (log line, ZooKeeper)
 * @param authentication kyuubi.authentication as configured, e.g. NONE, NOSASL, LDAP (comma-joined)
 * @param minWorkers     threads kept ready to run calls
 * @param maxWorkers     most calls (and login checks) running at once
 * @param maxConnections most connections open at once on the binary port
 * @param tls            TLS on the port, or {@link TlsSettings#OFF}
 */
record FrontendSettings(String bindHost, int port, String advertisedHost, String authentication, int maxMessageSize,
        int minWorkers, int maxWorkers, int maxConnections, Duration loginTimeout, TlsSettings tls) {

    private static final Logger LOG = LoggerFactory.getLogger(FrontendSettings.class);
    static final String KERBEROS = "KERBEROS";

    static FrontendSettings from(KitsuneConf conf) {
        checkAuthentication(conf.get(ConfigKeys.AUTHENTICATION));
        String bindHost = conf.get(ConfigKeys.THRIFT_BIND_HOST).trim();
        if (bindHost.isEmpty()) bindHost = conf.get(ConfigKeys.FRONTEND_BIND_HOST).trim();
        int maxWorkers = conf.get(ConfigKeys.THRIFT_MAX_WORKERS);
        return new FrontendSettings(bindHost, conf.get(ConfigKeys.THRIFT_BIND_PORT),
                advertisedHost(conf, bindHost), String.join(",", conf.get(ConfigKeys.AUTHENTICATION)),
                conf.get(ConfigKeys.THRIFT_MAX_MESSAGE_SIZE),
                Math.min(conf.get(ConfigKeys.THRIFT_MIN_WORKERS), maxWorkers), maxWorkers,
                conf.get(ConfigKeys.FRONTEND_MAX_CONNECTIONS), conf.get(ConfigKeys.THRIFT_LOGIN_TIMEOUT),
                TlsSettings.from(conf));
    }

    /**
     * NONE beside a type that checks passwords (NONE,LDAP) reads as "LDAP logins" but would let everyone in, whichever
     * type the server picked: refused, so that the operator says which one is meant.
     *
     * @throws ConfigException naming the key, the value and the fix
     */
    static void checkAuthentication(java.util.List<String> types) {
        if (!types.contains("NONE")) return;
        for (String type : types) {
            if (!type.equals("NONE") && !type.equals("NOSASL")) {
                String key = ConfigKeys.AUTHENTICATION.name();
                throw new kitsune.api.conf.ConfigException(key, "Invalid value for " + key + ": '"
                        + String.join(",", types) + "' lists NONE, which lets any user in with any password, beside "
                        + type + "; remove NONE to check logins with " + type + " (or set NONE alone)");
            }
        }
    }

    /** As Kyuubi: a raw transport only when NOSASL is the one type listed. */
    boolean sasl() {
        return !"NOSASL".equals(authentication);
    }

    /**
     * The type that checks SASL PLAIN logins: the first one listed other than NOSASL and KERBEROS; KERBEROS when it is
     * the only one (then PLAIN is not offered).
     */
    String plainType() {
        for (String type : authentication.split(",")) {
            if (!"NOSASL".equals(type) && !KERBEROS.equals(type)) return type;
        }
        return kerberos() ? KERBEROS : "NOSASL";
    }

    /** Whether SASL PLAIN logins are taken (not with KERBEROS alone). */
    boolean plain() {
        return sasl() && !KERBEROS.equals(plainType());
    }

    /** Whether Kerberos (SASL GSSAPI) logins are taken. */
    boolean kerberos() {
        return java.util.Arrays.asList(authentication.split(",")).contains(KERBEROS);
    }

    /** The bind address as people write it, for messages. */
    String bindHostForDisplay() {
        return bindHost.isEmpty() ? "0.0.0.0" : bindHost;
    }

    /** As Kyuubi: the advertised host, else the bind host verbatim, else this machine's name (or IP). */
    private static String advertisedHost(KitsuneConf conf, String bindHost) {
        String advertised = conf.get(ConfigKeys.ADVERTISED_HOST).trim();
        if (!advertised.isEmpty()) return advertised;
        if (!bindHost.isEmpty()) return bindHost;
        try {
            InetAddress local = InetAddress.getLocalHost();
            return conf.get(ConfigKeys.URL_USE_HOSTNAME) ? local.getCanonicalHostName() : local.getHostAddress();
        } catch (UnknownHostException e) {
            LOG.warn("This machine's host name does not resolve ({}); advertising 127.0.0.1, which only local "
                    + "clients can reach. Set {} to the name clients should use.", e.getMessage(),
                    ConfigKeys.ADVERTISED_HOST.name());
            return "127.0.0.1";
        }
    }
}
