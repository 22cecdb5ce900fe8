package kitsune.api.conf;

import static kitsune.api.conf.ValueType.BOOLEAN;
import static kitsune.api.conf.ValueType.DURATION;
import static kitsune.api.conf.ValueType.LIST;
import static kitsune.api.conf.ValueType.PORT;
import static kitsune.api.conf.ValueType.STRING;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key Kitsune understands. Kyuubi's keys keep Kyuubi's names and defaults;
 * keys of Kitsune's own features are named {@code kitsune.*}. This catalogue is the single source of the
 * configuration reference in docs/configuration.md and of start-time validation.
 */
public final class ConfigKeys {
    private static final Map<String, ConfigKey<?>> ALL = new LinkedHashMap<>();

    /** Config Admin PID under which the whole server configuration is published. */
    public static final String PID = "kitsune.server";

    /**
     * Kyuubi's per-user defaults: {@code ___alice___.spark.executor.memory 4g} applies to alice's sessions, over the
     * server's value and under the session's own.
     */
    public static final String USER_DEFAULTS_MARK = "___";

    /** Key prefixes passed through without validation: engine conf and engine environment. */
    public static final List<String> PASS_THROUGH_PREFIXES =
            List.of("spark.", "kyuubi.engineEnv.", "hive.", "hadoop.", "javax.jdo.", "datanucleus.");

    private static <T> ConfigKey<T> key(String name, String def, ValueType<T> type, boolean restart, String doc) {
        ConfigKey<T> k = new ConfigKey<>(name, def, type, restart, doc);
        ALL.put(name, k);
        return k;
    }

    // ---- directories, set by bin/kitsune from the environment (KITSUNE_HOME, ...), not by the conf file ----
    public static final ConfigKey<String> KITSUNE_HOME = key("kitsune.home", ".", STRING, true,
            "Installation directory (KITSUNE_HOME).");
    public static final ConfigKey<String> CONF_DIR = key("kitsune.conf.dir", "conf", STRING, true,
            "Directory of kyuubi-defaults.conf (KITSUNE_CONF_DIR).");
    public static final ConfigKey<String> LOG_DIR = key("kitsune.log.dir", "logs", STRING, true,
            "Directory of kitsune.log (KITSUNE_LOG_DIR).");
    public static final ConfigKey<String> WORK_DIR = key("kitsune.work.dir", "work", STRING, true,
            "Directory of the framework storage, embedded ZooKeeper data and engine work dirs (KITSUNE_WORK_DIR).");

    // ---- high availability ----
    public static final ConfigKey<String> HA_ADDRESSES = key("kyuubi.ha.addresses", "", STRING, true,
            "ZooKeeper connect string of the external ensemble; empty starts an embedded ZooKeeper (pseudo mode).");
    public static final ConfigKey<String> HA_NAMESPACE = key("kyuubi.ha.namespace", "kyuubi", STRING, true,
            "Root znode (server space) under which servers register.");
    public static final ConfigKey<Duration> HA_ZK_SESSION_TIMEOUT = key("kyuubi.ha.zookeeper.session.timeout", "60000",
            DURATION, true, "ZooKeeper session timeout; a crashed server's node disappears after it.");
    public static final ConfigKey<Duration> HA_ZK_CONNECTION_TIMEOUT = key("kyuubi.ha.zookeeper.connection.timeout",
            "15000", DURATION, true, "ZooKeeper connection timeout.");
    public static final ConfigKey<String> HA_ZK_RETRY_POLICY = key("kyuubi.ha.zookeeper.connection.retry.policy",
            "EXPONENTIAL_BACKOFF", ValueType.oneOf("ONE_TIME", "N_TIME", "EXPONENTIAL_BACKOFF",
                    "BOUNDED_EXPONENTIAL_BACKOFF", "UNTIL_ELAPSED"), true, "Curator retry policy.");
    public static final ConfigKey<Duration> HA_ZK_BASE_RETRY_WAIT = key(
            "kyuubi.ha.zookeeper.connection.base.retry.wait", "1000", DURATION, true, "First retry wait.");
    public static final ConfigKey<Duration> HA_ZK_MAX_RETRY_WAIT = key(
            "kyuubi.ha.zookeeper.connection.max.retry.wait", "30000", DURATION, true, "Longest retry wait.");
    public static final ConfigKey<Integer> HA_ZK_MAX_RETRIES = key("kyuubi.ha.zookeeper.connection.max.retries", "3",
            ValueType.intRange(0, 1000), true, "Retries of one ZooKeeper operation.");
    public static final ConfigKey<Duration> HA_ZK_NODE_CREATION_TIMEOUT = key(
            "kyuubi.ha.zookeeper.node.creation.timeout", "PT2M", DURATION, true,
            "How long the server waits for its registration znode to be created.");
    public static final ConfigKey<Boolean> HA_ZK_PUBLISH_CONFIGS = key("kyuubi.ha.zookeeper.publish.configs", "false",
            BOOLEAN, true, "Publish hive.server2.* key=value pairs as znode data instead of host:port.");
    public static final ConfigKey<String> HA_ZK_AUTH_TYPE = key("kyuubi.ha.zookeeper.auth.type", "NONE",
            ValueType.oneOf("NONE", "DIGEST", "KERBEROS"), true, "How servers and kitsune-ctl authenticate to "
            + "ZooKeeper: NONE, DIGEST with kyuubi.ha.zookeeper.auth.digest, or KERBEROS (SASL/GSSAPI) with "
            + "kyuubi.ha.zookeeper.auth.principal and .keytab; any type but NONE also protects every node Kitsune "
            + "creates with ACLs (writable by that identity only).");
    public static final ConfigKey<String> HA_ZK_ENGINE_AUTH_TYPE = key("kyuubi.ha.zookeeper.engine.auth.type", "NONE",
            ValueType.oneOf("NONE", "DIGEST", "KERBEROS"), true, "How engines authenticate to ZooKeeper. Engines never "
            + "get the servers' identity: with kyuubi.ha.zookeeper.auth.digest set, each engine space gets a digest "
            + "identity of its own, derived by the servers from their digest (engine-<hash of the space>), which alone "
            + "may register in that space; KERBEROS also logs engines in as kyuubi.ha.zookeeper.engine.auth.principal "
            + "(their identity in ACLs when no digest is set). Engine nodes are protected whenever the servers' are; "
            + "DIGEST or KERBEROS here also protects them with kyuubi.ha.zookeeper.auth.type=NONE.");
    public static final ConfigKey<String> HA_ZK_ENGINE_AUTH_PRINCIPAL = key("kyuubi.ha.zookeeper.engine.auth.principal",
            "", STRING, true, "With kyuubi.ha.zookeeper.engine.auth.type=KERBEROS, the Kerberos principal engines log "
            + "in to ZooKeeper as, e.g. engine/_HOST@EXAMPLE.COM (_HOST becomes the server's canonical host name, "
            + "lower-case, when the server launches the engine); must differ from the servers' principal.");
    public static final ConfigKey<String> HA_ZK_ENGINE_AUTH_KEYTAB = key("kyuubi.ha.zookeeper.engine.auth.keytab", "",
            STRING, true, "The keytab of kyuubi.ha.zookeeper.engine.auth.principal, at this path wherever engines run "
            + "(engines get its path; the servers' keytab is never named to them).");
    public static final ConfigKey<String> HA_ZK_AUTH_PRINCIPAL = key("kyuubi.ha.zookeeper.auth.principal", "", STRING,
            true, "The Kerberos principal servers and kitsune-ctl log in to ZooKeeper as with KERBEROS, e.g. "
            + "kitsune/_HOST@EXAMPLE.COM (_HOST becomes this machine's canonical host name, lower-case); empty: "
            + "kyuubi.kinit.principal. Never given to engines.");
    public static final ConfigKey<String> HA_ZK_AUTH_KEYTAB = key("kyuubi.ha.zookeeper.auth.keytab", "", STRING, true,
            "The keytab of kyuubi.ha.zookeeper.auth.principal (readable by the server's user only); never named to "
            + "engines; empty: kyuubi.kinit.keytab.");
    public static final ConfigKey<String> HA_ZK_AUTH_DIGEST = key("kyuubi.ha.zookeeper.auth.digest", "", STRING, true,
            "The servers' ZooKeeper identity as user:password (ZooKeeper's digest scheme): the same on every server and "
            + "for kitsune-ctl. Never given to engines (each engine space gets an identity derived from it) and never "
            + "logged.");
    public static final ConfigKey<Boolean> HA_ZK_ACL_ENABLED = key("kyuubi.ha.zookeeper.acl.enabled", "false", BOOLEAN,
            true, "Protect Kitsune's znodes with ACLs (deprecated in Kyuubi, where an auth type other than NONE does it, "
            + "as it does here); true with kyuubi.ha.zookeeper.auth.type=NONE stops the start.");
    public static final ConfigKey<Integer> ZK_EMBEDDED_PORT = key("kyuubi.zookeeper.embedded.client.port", "2181", PORT,
            true, "Client port of the embedded ZooKeeper (pseudo mode); 0 picks a free port.");
    public static final ConfigKey<String> ZK_EMBEDDED_ADDRESS = key("kyuubi.zookeeper.embedded.client.port.address",
            "127.0.0.1", STRING, true, "Address the embedded ZooKeeper binds.");
    public static final ConfigKey<String> ZK_EMBEDDED_DATA_DIR = key("kyuubi.zookeeper.embedded.data.dir",
            "embedded_zookeeper", STRING, true, "Data directory of the embedded ZooKeeper, relative to KITSUNE_WORK_DIR.");
    public static final ConfigKey<Integer> ZK_EMBEDDED_TICK_TIME = key("kyuubi.zookeeper.embedded.tick.time", "3000",
            ValueType.intRange(1, 60000), true, "Tick time (ms) of the embedded ZooKeeper.");
    public static final ConfigKey<Integer> ZK_EMBEDDED_MAX_SESSION_TIMEOUT = key(
            "kyuubi.zookeeper.embedded.max.session.timeout", "60000", ValueType.intRange(1, Integer.MAX_VALUE), true,
            "Largest session timeout (ms) the embedded ZooKeeper grants.");

    // ---- graceful stop ----
    public static final ConfigKey<Duration> SERVER_DRAIN_TIMEOUT = key("kitsune.server.drain.timeout", "PT30M",
            DURATION, false, "After its node was deleted from ZooKeeper the server waits at most this long for its "
                    + "open sessions, then closes them and stops; 0 waits without bound (as Kyuubi).");
    public static final ConfigKey<Duration> SERVER_STOP_TIMEOUT = key("kitsune.server.stop.timeout", "PT1M", DURATION,
            false, "On SIGTERM (bin/kitsune stop) the server leaves ZooKeeper, refuses new sessions and waits at most "
                    + "this long for its open sessions, then closes them and stops.");

    // ---- frontend ----
    public static final ConfigKey<String> FRONTEND_BIND_HOST = key("kyuubi.frontend.bind.host", "", STRING, true,
            "Bind address of all frontends, the Web Console and the metrics endpoint where their own key is unset; "
            + "empty: the Thrift binary port binds every interface, the others this machine's address (0.0.0.0 binds "
            + "all).");
    public static final ConfigKey<String> THRIFT_BIND_HOST = key("kyuubi.frontend.thrift.binary.bind.host", "", STRING,
            true, "Bind address of the Thrift binary frontend; falls back to kyuubi.frontend.bind.host.");
    public static final ConfigKey<Integer> THRIFT_BIND_PORT = key("kyuubi.frontend.thrift.binary.bind.port", "10009",
            PORT, true, "Port of the Thrift binary frontend; 0 picks a free port.");
    public static final ConfigKey<List<String>> FRONTEND_PROTOCOLS = key("kyuubi.frontend.protocols", "THRIFT_BINARY",
            ValueType.listOf("THRIFT_BINARY", "THRIFT_HTTP", "REST"), true,
            "Frontends to run: THRIFT_BINARY (always on: it is what ZooKeeper publishes), THRIFT_HTTP (Hive JDBC's "
            + "transportMode=http) and REST (Kyuubi's REST API at /api/v1 on kyuubi.frontend.rest.bind.host/port).");
    public static final ConfigKey<String> THRIFT_HTTP_BIND_HOST = key("kyuubi.frontend.thrift.http.bind.host", "",
            STRING, true, "Bind address of the Thrift HTTP frontend; falls back to kyuubi.frontend.bind.host, then to "
            + "this machine's address (not every interface; 0.0.0.0 binds all).");
    public static final ConfigKey<Integer> THRIFT_HTTP_BIND_PORT = key("kyuubi.frontend.thrift.http.bind.port",
            "10010", PORT, true, "Port of the Thrift HTTP frontend; 0 picks a free port.");
    public static final ConfigKey<String> THRIFT_HTTP_PATH = key("kyuubi.frontend.thrift.http.path", "cliservice",
            STRING, true, "URL path of the Thrift HTTP frontend (the JDBC URL's httpPath).");
    public static final ConfigKey<Integer> THRIFT_HTTP_COOKIE_MAX_AGE = key(
            "kyuubi.frontend.thrift.http.cookie.max.age", "3600", ValueType.intRange(1, Integer.MAX_VALUE), true,
            "Seconds the login cookie of the Thrift HTTP frontend (and of the REST API) stands in for the password or "
            + "Kerberos token; after them the Hive driver logs in again on its own (a REST client gets a 401). "
            + "Kyuubi's default is 86400.");
    public static final ConfigKey<List<String>> THRIFT_HTTP_COOKIE_SECRETS = key(
            "kitsune.frontend.thrift.http.cookie.secrets", "", LIST, true,
            "Keys (32 characters or more each) that sign the login cookies of the Thrift HTTP frontend and of the REST "
            + "API (each its own cookie name, signed too), the same list on every server "
            + "of the namespace so that a session moving to another server keeps its login. The first signs new "
            + "cookies, all are accepted: to rotate, put a new key first, and drop the old one after "
            + "kyuubi.frontend.thrift.http.cookie.max.age. Empty: a random key per server process (a session that "
            + "moves logs in again, which the Hive driver does on its own). Never give these to engines or clients.");
    public static final ConfigKey<String> ADVERTISED_HOST = key("kyuubi.frontend.advertised.host", "", STRING, true,
            "Host name published in ZooKeeper and the log; default: the bind host, else this machine's host name.");
    public static final ConfigKey<Boolean> URL_USE_HOSTNAME = key("kyuubi.frontend.connection.url.use.hostname",
            "true", BOOLEAN, true, "Advertise the host name rather than the IP address when no host is set.");
    public static final ConfigKey<Integer> THRIFT_MAX_MESSAGE_SIZE = key("kyuubi.frontend.thrift.max.message.size",
            "104857600", ValueType.intRange(1024, Integer.MAX_VALUE), true,
            "Largest Thrift message (bytes) the frontend accepts; a larger frame ends the connection before it is "
            + "buffered, and on the Thrift HTTP port a larger Content-Length or chunked body is answered 413 at once.");
    public static final ConfigKey<Integer> THRIFT_MIN_WORKERS = key("kyuubi.frontend.thrift.min.worker.threads", "9",
            ValueType.intRange(1, 100000), true, "Worker threads kept ready to run client calls.");
    public static final ConfigKey<Integer> THRIFT_MAX_WORKERS = key("kyuubi.frontend.thrift.max.worker.threads", "999",
            ValueType.intRange(1, 100000), true, "Most client calls (and login checks) run at once; more wait for a "
            + "free thread. An idle connection holds no thread: kitsune.frontend.connections.max bounds connections.");
    public static final ConfigKey<Integer> FRONTEND_MAX_CONNECTIONS = key("kitsune.frontend.connections.max", "10000",
            ValueType.intRange(1, 1000000), true, "Most client connections the Thrift binary port holds open at once "
            + "(each needs a file descriptor, not a thread); one more is refused at once with a message naming this "
            + "key.");
    public static final ConfigKey<Duration> THRIFT_LOGIN_TIMEOUT = key("kyuubi.frontend.thrift.login.timeout", "PT20S",
            DURATION, true, "How long a new connection may take to finish its TLS and SASL handshakes (NOSASL: to "
            + "send its first call), as a whole, not per byte; then it is closed. After that, how long one message (a "
            + "call, a SASL frame) may take to arrive whole once its first bytes came. On the Thrift HTTP port, how "
            + "long a request's body may take to arrive whole (then 408).");
    public static final ConfigKey<List<String>> AUTHENTICATION = key("kyuubi.authentication", "NONE",
            ValueType.listOf("NONE", "NOSASL", "KERBEROS", "LDAP", "JDBC", "CUSTOM"), true,
            "Client authentication. NOSASL alone: raw transport, no login. KERBEROS: SASL GSSAPI on the Thrift binary "
            + "port with kyuubi.kinit.principal and kyuubi.kinit.keytab. Otherwise (and beside KERBEROS) SASL PLAIN, "
            + "checked by the first type other than NOSASL and KERBEROS: NONE accepts any user and password; LDAP and "
            + "JDBC check them (bundle kitsune.auth); CUSTOM uses an Authenticator service of type CUSTOM from a bundle "
            + "of your own.");
    public static final ConfigKey<String> KINIT_PRINCIPAL = key("kyuubi.kinit.principal", "", STRING, true,
            "The server's Kerberos principal for kyuubi.authentication=KERBEROS, e.g. hive/_HOST@EXAMPLE.COM (_HOST "
            + "becomes this machine's host name, lower-case); clients name it in the JDBC URL (principal=...).");
    public static final ConfigKey<String> KINIT_KEYTAB = key("kyuubi.kinit.keytab", "", STRING, true,
            "The keytab holding kyuubi.kinit.principal's keys (readable by the server's user only).");
    public static final ConfigKey<Duration> KINIT_INTERVAL = key("kyuubi.kinit.interval", "PT1H", DURATION, true,
            "How often the server logs in again from kyuubi.kinit.keytab (and kyuubi.spnego.keytab), picking up "
            + "rotated keys; a failed login is retried sooner (5 s, doubling up to this interval) while the last good "
            + "one stays in use.");
    // ---- delegation tokens for engines on a Kerberized Hadoop cluster ----
    public static final ConfigKey<Duration> CREDENTIALS_RENEWAL_INTERVAL = key("kyuubi.credentials.renewal.interval",
            "PT1H", DURATION, false, "How often the server obtains fresh delegation tokens for each running engine "
            + "(with kyuubi.kinit.principal/keytab and kyuubi.engine.doAs.enabled); sooner when a token would expire "
            + "first (three quarters of its remaining renewal time).");
    public static final ConfigKey<Duration> CREDENTIALS_RENEWAL_RETRY_WAIT = key(
            "kyuubi.credentials.renewal.retry.wait", "PT1M", DURATION, false,
            "How long the server waits after a failed renewal of an engine's delegation tokens before trying again.");
    public static final ConfigKey<Duration> CREDENTIALS_UPDATE_WAIT_TIMEOUT = key(
            "kyuubi.credentials.update.wait.timeout", "PT1M", DURATION, false,
            "How long obtaining one user's delegation tokens may take (the short-lived JVM on the engine home's "
            + "Hadoop client); beyond it the engine launch fails naming this key.");
    public static final ConfigKey<Boolean> CREDENTIALS_HADOOPFS_ENABLED = key("kyuubi.credentials.hadoopfs.enabled",
            "true", BOOLEAN, false, "Obtain HDFS delegation tokens (fs.defaultFS and "
            + "kyuubi.credentials.hadoopfs.uris) for an engine's user when the engine home's Hadoop configuration "
            + "says hadoop.security.authentication=kerberos.");
    public static final ConfigKey<List<String>> CREDENTIALS_HADOOPFS_URIS = key("kyuubi.credentials.hadoopfs.uris",
            "", LIST, false, "Further file systems (comma-separated URIs, e.g. hdfs://nn2:8020) whose delegation "
            + "tokens an engine gets besides fs.defaultFS's.");
    public static final ConfigKey<Boolean> CREDENTIALS_HIVE_ENABLED = key("kyuubi.credentials.hive.enabled", "true",
            BOOLEAN, false, "Obtain a Hive metastore delegation token for an engine's user when hive.metastore.uris "
            + "is set (in the server's hive.* keys or the engine home's hive-site.xml).");
    public static final ConfigKey<Integer> KINIT_MAX_ATTEMPTS = key("kyuubi.kinit.max.attempts", "10",
            ValueType.intRange(1, 1000), true, "Failed keytab logins in a row before an ERROR line says the keytab "
            + "needs attention; the server goes on (Kyuubi exits) and tries again every kyuubi.kinit.interval.");
    public static final ConfigKey<String> AUTH_TO_LOCAL = key("hadoop.security.auth_to_local", "DEFAULT", STRING,
            true, "How a client's Kerberos principal becomes its session user, in Hadoop's rule language: rules "
            + "separated by white space, each DEFAULT (the first component when the realm is the server's) or "
            + "RULE:[n:format](regex)s/pattern/replacement/g with an optional /L (lower-case); the first rule that "
            + "applies wins, a principal no rule maps is refused.");
    public static final ConfigKey<String> SPNEGO_PRINCIPAL = key("kyuubi.spnego.principal", "", STRING, true,
            "The server's principal for SPNEGO (Authorization: Negotiate) on the Thrift HTTP transport and the REST "
            + "API with kyuubi.authentication=KERBEROS, e.g. HTTP/_HOST@EXAMPLE.COM (_HOST becomes the frontend's "
            + "bind host, else this machine's host name, lower-case); JDBC clients name it in the URL "
            + "(transportMode=http;principal=...), REST clients ask a ticket for it (curl --negotiate).");
    public static final ConfigKey<String> SPNEGO_KEYTAB = key("kyuubi.spnego.keytab", "", STRING, true,
            "The keytab holding kyuubi.spnego.principal's keys (readable by the server's user only).");

    // ---- authentication (bundle kitsune.auth; live: a change applies to the next login) ----
    public static final ConfigKey<String> LDAP_URL = key("kyuubi.authentication.ldap.url", "", STRING, false,
            "LDAP server(s) for kyuubi.authentication=LDAP, e.g. ldap://ldap.example.com:389 or ldaps://…:636; "
            + "space-separated URLs are tried in turn when one is not reachable. A DN in the URL is used as the base "
            + "DN only when kyuubi.authentication.ldap.baseDN is not set.");
    public static final ConfigKey<String> LDAP_BASE_DN = key("kyuubi.authentication.ldap.baseDN", "", STRING, false,
            "Where users (and, without groupDNPattern, groups) are searched, e.g. dc=example,dc=com. Without a bind DN, "
            + "domain or userDNPattern a login binds as GUIDKEY=USER,BASE_DN.");
    public static final ConfigKey<String> LDAP_DOMAIN = key("kyuubi.authentication.ldap.domain", "", STRING, false,
            "Active Directory style: without a bind DN, a login without @ binds as USER@DOMAIN (its userPrincipalName).");
    public static final ConfigKey<String> LDAP_BIND_DN = key("kyuubi.authentication.ldap.binddn", "", STRING, false,
            "The DN the server binds as to search for the user's entry (then the user's own password is checked by a "
            + "bind as that entry), e.g. cn=kyuubi,ou=services,dc=example,dc=com. Without it the user's own bind "
            + "searches. Needs kyuubi.authentication.ldap.bindpw.");
    public static final ConfigKey<String> LDAP_BIND_PASSWORD = key("kyuubi.authentication.ldap.bindpw", "", STRING,
            false, "Password of kyuubi.authentication.ldap.binddn (never logged).");
    public static final ConfigKey<String> LDAP_USER_DN_PATTERN = key("kyuubi.authentication.ldap.userDNPattern", "",
            STRING, false, "Colon-separated DN patterns with %s for the user, e.g. uid=%s,ou=people,dc=example,dc=com: "
            + "without a bind DN and domain the first that binds wins; user searches look under each pattern's parent "
            + "for its first attribute. Each must contain %s and be a valid DN.");
    public static final ConfigKey<String> LDAP_GROUP_DN_PATTERN = key("kyuubi.authentication.ldap.groupDNPattern", "",
            STRING, false, "Colon-separated DN patterns with %s for a group name, e.g. cn=%s,ou=groups,dc=example,dc=com: "
            + "groups are searched under each pattern's parent (else under baseDN).");
    public static final ConfigKey<List<String>> LDAP_USER_FILTER = key("kyuubi.authentication.ldap.userFilter", "",
            LIST, false, "Comma-separated user names (short names, not DNs) allowed to log in; empty: any user.");
    public static final ConfigKey<List<String>> LDAP_GROUP_FILTER = key("kyuubi.authentication.ldap.groupFilter", "",
            LIST, false, "Comma-separated group names (short names, not DNs): only their direct members may log in; "
            + "empty: no group check.");
    public static final ConfigKey<String> LDAP_GUID_KEY = key("kyuubi.authentication.ldap.guidKey", "uid", STRING,
            false, "Attribute whose value is the user name (uid for OpenLDAP, sAMAccountName or cn for Active "
            + "Directory).");
    public static final ConfigKey<String> LDAP_GROUP_MEMBERSHIP_KEY = key(
            "kyuubi.authentication.ldap.groupMembershipKey", "member", STRING, false,
            "Attribute of a group entry listing its members, by DN (member, uniqueMember) or by user name (memberUid).");
    public static final ConfigKey<String> LDAP_USER_MEMBERSHIP_KEY = key(
            "kyuubi.authentication.ldap.userMembershipKey", "", STRING, false,
            "Attribute of a user entry listing the DNs of its groups, e.g. memberOf: when set, groupFilter is checked "
            + "against it instead of searching groups.");
    public static final ConfigKey<String> LDAP_GROUP_CLASS_KEY = key("kyuubi.authentication.ldap.groupClassKey",
            "groupOfNames", STRING, false, "objectClass of group entries in group searches, e.g. groupOfNames, "
            + "groupOfUniqueNames, posixGroup or group (Active Directory).");
    public static final ConfigKey<String> LDAP_CUSTOM_QUERY = key("kyuubi.authentication.ldap.customLDAPQuery", "",
            STRING, false, "An LDAP filter run under baseDN instead of userFilter and groupFilter: a login is allowed "
            + "when the user's entry is among the results, or listed in a result's groupMembershipKey attribute.");
    public static final ConfigKey<String> LDAP_TRUSTSTORE_PATH = key("kitsune.authentication.ldap.truststore.path", "",
            STRING, false, "Trust store (PKCS12 or JKS, relative to KITSUNE_HOME) with the CA of the directory's "
            + "certificate for ldaps:// URLs and StartTLS; empty: the JVM's default trust store. The server's name is "
            + "checked against the certificate.");
    public static final ConfigKey<Boolean> LDAP_STARTTLS = key("kitsune.authentication.ldap.starttls", "false",
            BOOLEAN, false, "Upgrade every ldap:// connection with StartTLS (checked against "
            + "kitsune.authentication.ldap.truststore.path, else the JVM's trust store) before any bind, so that no "
            + "password crosses in clear; a directory that does not offer StartTLS, or whose certificate is not "
            + "trusted, refuses the login. Not together with ldaps:// URLs (a configuration error). Kyuubi has no such "
            + "key.");
    public static final ConfigKey<String> LDAP_TRUSTSTORE_PASSWORD = key(
            "kitsune.authentication.ldap.truststore.password", "", STRING, false,
            "Password of kitsune.authentication.ldap.truststore.path (empty: none).");
    public static final ConfigKey<Duration> LDAP_TIMEOUT = key("kitsune.authentication.ldap.timeout", "PT10S",
            DURATION, false, "Connect and read timeout of one LDAP bind; a slower server fails the login with a "
            + "message naming it.");
    public static final ConfigKey<String> JDBC_AUTH_DRIVER_CLASS = key("kyuubi.authentication.jdbc.driver.class", "",
            STRING, false, "JDBC driver class for kyuubi.authentication=JDBC, e.g. org.postgresql.Driver.");
    public static final ConfigKey<List<String>> JDBC_AUTH_DRIVER_JARS = key("kitsune.authentication.jdbc.driver.jars",
            "", ValueType.LIST, false, "Jars (comma-separated paths, relative to KITSUNE_HOME) holding the JDBC "
            + "driver: the OSGi runtime has no application class path to put it on.");
    public static final ConfigKey<String> JDBC_AUTH_URL = key("kyuubi.authentication.jdbc.url", "", STRING, false,
            "JDBC URL of the user database.");
    public static final ConfigKey<String> JDBC_AUTH_USER = key("kyuubi.authentication.jdbc.user", "", STRING, false,
            "User name for the user database.");
    public static final ConfigKey<String> JDBC_AUTH_PASSWORD = key("kyuubi.authentication.jdbc.password", "", STRING,
            false, "Password for the user database.");
    public static final ConfigKey<String> JDBC_AUTH_QUERY = key("kyuubi.authentication.jdbc.query", "", STRING, false,
            "SELECT that returns a row when ${user} / ${password} are valid, e.g. SELECT 1 FROM users WHERE "
            + "name=${user} AND pw=${password}; the placeholders become bind parameters, never spliced text.");
    public static final ConfigKey<Boolean> THRIFT_SSL_ENABLED = key("kyuubi.frontend.thrift.binary.ssl.enabled",
            "false", BOOLEAN, true, "TLS on the Thrift binary port (clients add ;ssl=true and a trust store to the "
            + "JDBC URL); needs kyuubi.frontend.ssl.keystore.path.");
    public static final ConfigKey<String> SSL_KEYSTORE_PATH = key("kyuubi.frontend.ssl.keystore.path", "", STRING, true,
            "Key store with the server's certificate and key, relative to KITSUNE_HOME.");
    public static final ConfigKey<String> SSL_KEYSTORE_PASSWORD = key("kyuubi.frontend.ssl.keystore.password", "",
            STRING, true, "Password of the key store (and of its key).");
    public static final ConfigKey<String> SSL_KEYSTORE_TYPE = key("kyuubi.frontend.ssl.keystore.type", "", STRING,
            true, "Key store type, e.g. PKCS12 or JKS; empty: the JVM's default (PKCS12).");
    public static final ConfigKey<String> SSL_KEYSTORE_ALGORITHM = key("kyuubi.frontend.ssl.keystore.algorithm", "",
            STRING, true, "Key manager algorithm; empty: the JVM's default.");
    public static final ConfigKey<List<String>> THRIFT_SSL_DISALLOWED_PROTOCOLS = key(
            "kyuubi.frontend.thrift.binary.ssl.disallowed.protocols", "SSLv2,SSLv3", LIST, true,
            "TLS protocol versions refused on the Thrift binary port (the JVM refuses TLSv1 and TLSv1.1 already).");
    public static final ConfigKey<List<String>> THRIFT_SSL_CIPHER_SUITES = key(
            "kyuubi.frontend.thrift.binary.ssl.include.ciphersuites", "", LIST, true,
            "Cipher suites allowed on the Thrift binary port; empty: the JVM's defaults.");
    public static final ConfigKey<Duration> THRIFT_HTTP_MAX_IDLE_TIME = key("kyuubi.frontend.thrift.http.max.idle.time",
            "PT30M", DURATION, true, "How long a Thrift HTTP connection may stay without traffic (also in the middle "
            + "of a request: a client that sends its request slower than this is cut off); then it is closed.");
    public static final ConfigKey<String> REST_BIND_HOST = key("kyuubi.frontend.rest.bind.host", "", STRING,
            true, "Bind address of the HTTP service (Web Console, REST API); falls back to kyuubi.frontend.bind.host, "
            + "then to this machine's address (not every interface; 0.0.0.0 binds all).");
    public static final ConfigKey<Integer> REST_BIND_PORT = key("kyuubi.frontend.rest.bind.port", "10099", PORT, true,
            "Port of the HTTP service (Web Console, and the REST API when kyuubi.frontend.protocols has REST); 0 picks "
            + "a free port.");
    public static final ConfigKey<Integer> REST_MAX_CONNECTIONS = key("kitsune.frontend.rest.connections.max",
            "1000", ValueType.intRange(1, 1000000), false, "Most connections the HTTP service of "
            + "kyuubi.frontend.rest.bind.port (REST API, Web Console) holds open at once; one more is closed at once, "
            + "with a log line naming this key at most every 10 seconds.");
    public static final ConfigKey<Duration> REST_MAX_IDLE_TIME = key("kitsune.frontend.rest.max.idle.time", "PT1M",
            DURATION, false, "How long a connection to the HTTP service of kyuubi.frontend.rest.bind.port may stay "
            + "without traffic (also in the middle of a request; at least one second); then it is closed. A "
            + "connection whose first request's header is not whole within kyuubi.frontend.thrift.login.timeout is "
            + "closed then.");
    public static final ConfigKey<String> PROXY_HTTP_CLIENT_IP_HEADER = key(
            "kyuubi.frontend.proxy.http.client.ip.header", "", STRING, true,
            "HTTP header (e.g. X-Real-IP) from which the REST API takes the client's address, for a server behind a "
            + "proxy that sets it; the address counts for per-address limits and hadoop.proxyuser.*.hosts. Empty: "
            + "the socket's address. Stricter than Kyuubi, whose default X-Real-IP trusts what any client sends.");
    public static final ConfigKey<List<String>> SERVER_ADMINISTRATORS = key("kyuubi.server.administrators", "", LIST,
            false, "Users (comma-separated) who may call the REST API's /api/v1/admin endpoints; everyone else gets "
            + "403. Empty: nobody.");

    // ---- sessions and operations ----
    public static final ConfigKey<Duration> OPERATION_STATUS_POLLING_TIMEOUT = key(
            "kyuubi.operation.status.polling.timeout", "PT5S", DURATION, false,
            "How long GetOperationStatus waits for a running operation to change state before it answers.");
    public static final ConfigKey<Duration> OPERATION_INLINE_WAIT = key("kitsune.operation.inline.wait", "PT0.05S",
            DURATION, false, "How long an engine holds a statement's ExecuteStatement reply for the statement to end: "
            + "a short statement's status, schema and rows (at most kitsune.operation.inline.rows, held in the "
            + "driver) then come back with it, and this server answers the client's status poll, metadata call and "
            + "fetches itself instead of asking the engine for each. Longer statements are answered as before once "
            + "the time is up. 0 turns it off. At most PT1S.");
    public static final ConfigKey<Integer> OPERATION_INLINE_ROWS = key("kitsune.operation.inline.rows", "1000",
            ValueType.intRange(1, 10_000), false, "The most rows of a result that come back with its statement "
            + "(kitsune.operation.inline.wait); a client whose fetch asks for fewer rows gets them from the engine.");
    public static final ConfigKey<Long> OPERATION_INLINE_MEMORY = key("kitsune.operation.inline.memory", "67108864",
            ValueType.LONG, false, "The most memory (bytes, as encoded) the results held for kitsune.operation.inline."
            + "wait may take in this server together; beyond it a result is left on its engine and fetched from there. "
            + "Each is dropped once fetched, or when its operation or session closes.");
    public static final ConfigKey<Duration> OPERATION_QUERY_TIMEOUT = key("kyuubi.operation.query.timeout", null,
            DURATION, false, "Longest a statement (ExecuteStatement) runs before the engine cancels it and the client "
            + "gets an error naming this key; the client's own query timeout (Statement.setQueryTimeout) applies "
            + "when shorter. Whole seconds (rounded up). Unset: no bound. A session may set a lower value, not a "
            + "higher one (a higher one is ignored).");
    public static final ConfigKey<Duration> OPERATION_IDLE_TIMEOUT = key("kyuubi.operation.idle.timeout", "PT3H",
            DURATION, false, "An operation nobody polled, fetched or otherwise called for this long is closed on the "
            + "server and its engine (a running statement is cancelled); a later call with its handle is told why. "
            + "0 disables.");
    public static final ConfigKey<Duration> SESSION_IDLE_TIMEOUT = key("kyuubi.session.idle.timeout", "PT6H", DURATION,
            false, "A session without calls for this long is closed; its owner's next call with its handle is told "
            + "why. 0 disables.");
    public static final ConfigKey<List<String>> SESSION_CONF_RESTRICT_LIST = key("kyuubi.session.conf.restrict.list",
            "spark.hadoop.javax.jdo.*,spark.hadoop.hive.metastore.*,spark.sql.warehouse.dir,spark.driver.host,"
            + "spark.driver.bindAddress,spark.driver.port,spark.driver.extraClassPath,spark.executor.extraClassPath,"
            + "spark.driver.extraJavaOptions,spark.executor.extraJavaOptions,spark.driver.extraLibraryPath,"
            + "spark.executor.extraLibraryPath,spark.jars,spark.jars.packages,spark.jars.repositories,"
            + "spark.jars.ivy,spark.files,spark.archives,spark.submit.pyFiles,spark.yarn.dist.*,spark.kitsune.*,"
            + "kitsune.engine.spark.homes,kitsune.engine.spark.application.jar,"
            + "kitsune.engine.spark.extra.jars",
            ValueType.LIST, false, "Session settings a client may not send (its OpenSession is refused naming the "
            + "key); a trailing * matches a prefix. Stricter than Kyuubi, whose list is empty: the default keeps "
            + "clients off the metastore, warehouse, driver address, class paths, JVM options and engine code.");
    public static final ConfigKey<List<String>> SESSION_CONF_IGNORE_LIST = key("kyuubi.session.conf.ignore.list", "",
            ValueType.LIST, false, "Session settings dropped from a client's OpenSession (logged, not applied); a "
            + "trailing * matches a prefix.");
    public static final ConfigKey<Integer> LIMIT_CONNECTIONS_PER_USER = key(
            "kyuubi.server.limit.connections.per.user", null, ValueType.intRange(0, Integer.MAX_VALUE), false,
            "Most sessions one user holds open on this server at once (by the session's user: the proxy user when a "
            + "login acts for another); one more is refused at OpenSession naming this key. Unset or 0: no limit.");
    public static final ConfigKey<Integer> LIMIT_CONNECTIONS_PER_IPADDRESS = key(
            "kyuubi.server.limit.connections.per.ipaddress", null, ValueType.intRange(0, Integer.MAX_VALUE), false,
            "Most sessions opened from one client IP address held open on this server at once; one more is refused "
            + "at OpenSession naming this key. Unset or 0: no limit.");
    public static final ConfigKey<Integer> LIMIT_CONNECTIONS_PER_USER_IPADDRESS = key(
            "kyuubi.server.limit.connections.per.user.ipaddress", null, ValueType.intRange(0, Integer.MAX_VALUE),
            false, "Most sessions of one user from one client IP address held open on this server at once; one more "
            + "is refused at OpenSession naming this key. Unset or 0: no limit.");
    public static final ConfigKey<List<String>> LIMIT_CONNECTIONS_USER_UNLIMITED_LIST = key(
            "kyuubi.server.limit.connections.user.unlimited.list", "", LIST, false,
            "Users whose sessions no per-user or per-address limit counts or refuses (service accounts, say).");
    public static final ConfigKey<List<String>> LIMIT_CONNECTIONS_USER_DENY_LIST = key(
            "kyuubi.server.limit.connections.user.deny.list", "", LIST, false,
            "Users who may open no session on this server (also when on the unlimited list).");
    public static final ConfigKey<List<String>> LIMIT_CONNECTIONS_IP_DENY_LIST = key(
            "kyuubi.server.limit.connections.ip.deny.list", "", LIST, false,
            "Client IP addresses from which no session may be opened on this server.");
    public static final ConfigKey<Integer> LIMIT_CLIENT_FETCH_MAX_ROWS = key("kyuubi.server.limit.client.fetch.max.rows",
            null, ValueType.intRange(0, Integer.MAX_VALUE), false, "Most rows a client may ask for in one "
            + "FetchResults; a larger request is refused naming this key (the client lowers its fetch size). Unset "
            + "or 0: no limit.");
    public static final ConfigKey<Integer> OPERATION_RESULT_MAX_ROWS = key("kyuubi.operation.result.max.rows", "0",
            ValueType.intRange(0, Integer.MAX_VALUE), false, "Most rows a statement's result yields; the engine "
            + "stops reading the result after that many (the rest is dropped). 0: no limit. Engines launched from now "
            + "on; a session may set a lower value, not a higher one.");
    public static final ConfigKey<Duration> SESSION_CHECK_INTERVAL = key("kyuubi.session.check.interval", "PT1M",
            DURATION, false, "How often idle sessions are looked for.");
    public static final ConfigKey<Boolean> SESSION_CLOSE_ON_DISCONNECT = key("kyuubi.session.close.on.disconnect",
            "true", BOOLEAN, false, "Close a client's sessions when its connection drops.");
    public static final ConfigKey<Integer> SESSION_FETCH_SIZE = key("kyuubi.server.thrift.resultset.default.fetch.size",
            "1000", ValueType.intRange(1, 1_000_000), false,
            "Fetch size the server suggests to clients in OpenSession.");

    // ---- engines ----
    public static final ConfigKey<String> ENGINE_TYPE = key("kyuubi.engine.type", "SPARK_SQL",
            ValueType.oneOf("SPARK_SQL", "FLINK_SQL", "TRINO", "HIVE_SQL", "JDBC"), false,
            "Engine type of new sessions; an engine provider bundle must serve it.");
    public static final ConfigKey<String> ENGINE_SHARE_LEVEL = key("kyuubi.engine.share.level", "USER",
            ValueType.oneOf("CONNECTION", "USER", "GROUP", "SERVER"), false,
            "Who shares an engine: each connection, each user, each primary group, or the whole server.");
    public static final ConfigKey<String> CTL_REST_BASE_URL = key("kyuubi.ctl.rest.base.url", "", STRING, false,
            "The REST API kitsune-ctl's session commands (and engine commands with REST) call when --hostUrl is not "
            + "given, e.g. http://host:10099.");
    public static final ConfigKey<String> CTL_REST_AUTH_SCHEMA = key("kyuubi.ctl.rest.auth.schema", "basic",
            ValueType.oneOf("BASIC", "SPNEGO"), false, "How kitsune-ctl logs in to the REST API when --authSchema is not "
            + "given: basic (HTTP Basic with --username and --password) or spnego (Authorization: Negotiate with a "
            + "Kerberos ticket for HTTP/<spnego host>, from the ticket cache or a JAAS keytab login); either way the "
            + "server's login cookie is shown on the following requests of the command.");
    public static final ConfigKey<String> CTL_REST_SPNEGO_HOST = key("kyuubi.ctl.rest.spnego.host", "", STRING, false,
            "The host of the REST API's SPNEGO principal (HTTP/<host>@REALM) when --spnegoHost is not given; empty: "
            + "the host of --hostUrl (kyuubi.ctl.rest.base.url).");
    public static final ConfigKey<Duration> CTL_BATCH_LOG_QUERY_INTERVAL = key("kyuubi.ctl.batch.log.query.interval",
            "PT3S", DURATION, false, "How often kitsune-ctl's log batch --forward and submit batch ask the REST API "
            + "for a batch's new log lines and its state while they follow it.");
    public static final ConfigKey<String> SESSION_GROUP_PROVIDER = key("kyuubi.session.group.provider", "hadoop",
            STRING, false, "Where a user's primary group comes from for the GROUP share level: hadoop (the operating "
            + "system's, id -gn, as Hadoop's default group mapping), ldap (the directory of kyuubi.authentication.ldap.*: "
            + "needs kyuubi.authentication.ldap.binddn; the first of the user's groups by name), or the name of another "
            + "GroupProvider service. A user without a group is its own group. Not settable by a session.");
    public static final ConfigKey<String> ENGINE_SHARE_LEVEL_SUBDOMAIN = key("kyuubi.engine.share.level.subdomain", "",
            STRING, false, "Sub-domain of the engine space, so one user can keep several engines; empty = default.");
    public static final ConfigKey<Duration> ENGINE_MAX_LIFETIME = key("kyuubi.session.engine.spark.max.lifetime",
            "PT0S", DURATION, false,
            "An engine older than this retires at its first moment without a session (it de-registers and stops; the "
            + "next session gets a new engine), so long-running engines pick up new settings and give their memory "
            + "back; PT0S: no limit.");
    public static final ConfigKey<Integer> ENGINE_POOL_SIZE = key("kyuubi.engine.pool.size", "-1",
            ValueType.intRange(-1, Integer.MAX_VALUE), false,
            "Engines in a pool per engine space: below 1 no pool; otherwise min(this, kyuubi.engine.pool.size.threshold) "
            + "engines whose subdomains are <kyuubi.engine.pool.name>-<0..n-1>, each new session going to one of them "
            + "(kyuubi.engine.pool.selectPolicy), so a busy USER, GROUP or SERVER engine is spread over several. Not at "
            + "CONNECTION level, nor for a session that sets kyuubi.engine.share.level.subdomain.");
    public static final ConfigKey<Integer> ENGINE_POOL_SIZE_THRESHOLD = key("kyuubi.engine.pool.size.threshold", "9",
            ValueType.intRange(1, 1000), false,
            "Largest engine pool a session may ask for with kyuubi.engine.pool.size; set on the server only.");
    public static final ConfigKey<String> ENGINE_POOL_NAME = key("kyuubi.engine.pool.name", "engine-pool", STRING,
            false, "Name of the engine pool: its engines' subdomains are <name>-<index>.");
    public static final ConfigKey<String> ENGINE_POOL_SELECT_POLICY = key("kyuubi.engine.pool.selectPolicy", "RANDOM",
            ValueType.oneOf("RANDOM", "POLLING"), false,
            "Which engine of the pool a new session goes to: RANDOM, or POLLING (in turn, counted per server and "
            + "engine space; Kyuubi counts across servers in ZooKeeper).");
    public static final ConfigKey<Duration> ENGINE_IDLE_TIMEOUT = key("kyuubi.session.engine.idle.timeout", "PT30M",
            DURATION, false, "An engine without sessions for this long stops itself.");
    public static final ConfigKey<Duration> ENGINE_INIT_TIMEOUT = key("kyuubi.session.engine.initialize.timeout",
            "PT3M", DURATION, false, "How long a session waits for a new engine to register.");
    public static final ConfigKey<Duration> SESSION_ENGINE_IDLE_TIMEOUT_MAX = key(
            "kitsune.session.engine.idle.timeout.max", null, DURATION, false, "Longest "
            + "kyuubi.session.engine.idle.timeout a session may ask for (a longer one is refused at "
            + "OpenSession naming both values). Unset: the server's own kyuubi.session.engine.idle.timeout (with the "
            + "user's ___user___ default), so a session may shorten it, not lengthen it. Stricter than Kyuubi, "
            + "where a session may ask for any value.");
    public static final ConfigKey<Long> SESSION_ENGINE_MEMORY_MAX = key("kitsune.session.engine.memory.max", "32g",
            ValueType.SIZE_MIB, false, "Most memory a session or batch may ask for in each of spark.driver.memory, "
            + "spark.executor.memory, their memoryOverhead (also the spark.yarn.* and spark.kubernetes.* names), "
            + "spark.yarn.am.memory(+"
            + "Overhead), spark.executor.pyspark.memory and spark.memory.offHeap.size, in Spark's size syntax; a "
            + "larger or unreadable value is refused naming the key. The operator's own value (server or ___user___ "
            + "default) is always allowed. Kyuubi has no such cap.");
    public static final ConfigKey<Integer> SESSION_ENGINE_CORES_MAX = key("kitsune.session.engine.cores.max", "16",
            ValueType.intRange(1, Integer.MAX_VALUE), false, "Most cores a session or batch may ask for in "
            + "spark.driver.cores, spark.executor.cores and spark.yarn.am.cores; more is refused naming the key. "
            + "The operator's own value is always allowed. Kyuubi has no such cap.");
    public static final ConfigKey<Integer> SESSION_ENGINE_EXECUTORS_MAX = key("kitsune.session.engine.executors.max",
            "100", ValueType.intRange(0, Integer.MAX_VALUE), false, "Most executors a session or batch may ask for "
            + "in spark.executor.instances and spark.dynamicAllocation.maxExecutors, .initialExecutors and "
            + ".minExecutors; a session that turns spark.dynamicAllocation.enabled on must also bound "
            + "maxExecutors (Spark's default is unbounded). The operator's own value is always allowed. Kyuubi has "
            + "no such cap.");
    public static final ConfigKey<Boolean> ENGINE_LAUNCH_ASYNC = key("kyuubi.session.engine.launch.async", "true",
            BOOLEAN, false, "OpenSession answers at once and the session's engine is found or launched in the "
            + "background; an asynchronous statement is accepted at once (PENDING, the launch in its log) and runs "
            + "once the engine is ready; other calls that need the engine wait for it (up to "
            + "kyuubi.session.engine.initialize.timeout); a launch failure is their error. Settable per "
            + "session; HTTP-transport sessions always bind at OpenSession.");
    public static final ConfigKey<String> SERVER_INFO_PROVIDER = key("kyuubi.server.info.provider", "ENGINE",
            ValueType.oneOf("SERVER", "ENGINE"), false, "Who answers a client's GetInfo (the product name and version "
            + "JDBC's DatabaseMetaData and beeline show): ENGINE, the session's engine (Spark SQL and its version; "
            + "the version waits for an engine still being launched); SERVER, this server at once (Kitsune and its "
            + "release), so a shell that asks right after connecting does not wait for the launch. Settable per "
            + "session.");
    public static final ConfigKey<Integer> ENGINE_LAUNCH_ASYNC_THREADS = key(
            "kitsune.session.engine.launch.async.threads", "16", ValueType.intRange(1, 1024), true,
            "Sessions whose engines are found or launched in the background at once; more wait in line.");
    public static final ConfigKey<Integer> ENGINE_LAUNCH_ASYNC_PENDING_STATEMENTS = key(
            "kitsune.session.engine.launch.async.pending.statements", "16", ValueType.intRange(1, 1024), false,
            "Asynchronous statements one session may have waiting for its engine while it is found or launched; one "
            + "more is refused with an error naming this key (they are all sent to the engine once it is ready).");
    public static final ConfigKey<String> SPARK_HOMES = key("kitsune.engine.spark.homes",
            "spark-4.0=engines/spark-4.0,spark-3.5=engines/spark-3.5", STRING, false,
            "Engine homes as name=path pairs separated by commas; relative paths resolve against KITSUNE_HOME.");
    public static final ConfigKey<String> SPARK_HOME = key("kitsune.engine.spark.home", "spark-4.0", STRING, false,
            "Name of the default engine home; a session may pick another listed name.");
    public static final ConfigKey<List<String>> ENGINE_EXTRA_JARS = key("kitsune.engine.spark.extra.jars", "", LIST,
            false, "Extra jars (comma-separated paths) on the classpath of engines launched from now on.");
    public static final ConfigKey<String> ENGINE_JAVA_HOME = key("kitsune.engine.java.home", "", STRING, false,
            "JAVA_HOME of engine processes; empty uses the server's own Java.");
    public static final ConfigKey<Boolean> ENGINE_CDS_ENABLED = key("kitsune.engine.cds.enabled", "true", BOOLEAN,
            false, "Let engines start from a class-data archive that the second engine of a class path writes at exit.");
    public static final ConfigKey<String> ENGINE_BIND_HOST = key("kitsune.engine.bind.host", "", STRING,
            false, "Address an engine binds its Thrift port to and publishes in ZooKeeper, wherever it runs; empty: "
            + "127.0.0.1 for a local[...] master, else the canonical address of the host the engine (its driver) runs "
            + "on. Settable per session.");
    public static final ConfigKey<String> ENGINE_APPLICATION_JAR = key("kitsune.engine.spark.application.jar", "",
            STRING, false, "The engine jar as a cluster-mode driver fetches it (spark-submit's application resource), "
            + "e.g. local:///opt/kitsune/kitsune-spark-engine.jar inside a Kubernetes image or an hdfs:// copy; empty: "
            + "the server's lib/kitsune-spark-engine.jar, which YARN uploads itself and a standalone worker must find at "
            + "the same path.");
    public static final ConfigKey<Boolean> ENGINE_DO_AS = key("kyuubi.engine.doAs.enabled", "true", BOOLEAN, false,
            "Submit engines on a cluster (any spark.master but local[...]) for the user they serve (spark-submit "
            + "--proxy-user: the session user, the group at GROUP level); the cluster must allow the server's user to "
            + "impersonate (hadoop.proxyuser.<server user>.hosts/groups). With a local master on a Kerberized Hadoop "
            + "cluster (kyuubi.kinit.principal/keytab set), the engine reads and writes as that user with delegation "
            + "tokens the server obtains (kyuubi.credentials.*). A user's own spark.kerberos.principal and "
            + "spark.kerberos.keytab (session or ___user___ defaults) replace --proxy-user when the principal maps to "
            + "the user the engine runs as (the server's own with doAs off) and the keytab logs in; otherwise they "
            + "are ignored with a warning (docs/operations.md, users' own keytabs).");

    public static final ConfigKey<Boolean> ENGINE_SECURITY_ENABLED = key("kyuubi.engine.security.enabled", "true",
            BOOLEAN, false, "Engines launched from now on take only connections that prove they know the shared engine "
            + "secret (after the engine proved it first), so that nobody reaches an engine around the server's "
            + "authentication and no planted engine node learns the secret; servers use only engines that prove "
            + "themselves. Stricter than Kyuubi, whose default is false.");
    public static final ConfigKey<String> ENGINE_SECRET = key("kyuubi.engine.security.secret.provider.simple.secret",
            "", STRING, false, "The shared engine secret: the same on every server of the namespace; long and random "
            + "(a recorded login lets guesses be tested offline). Empty: the server generates one at first start into "
            + "engine-secret in KITSUNE_WORK_DIR (mode 0600) and reuses it, which suits one server or servers sharing "
            + "that directory; servers on several hosts must set this key to one value.");
    public static final ConfigKey<Integer> ENGINE_EXEC_POOL_SIZE = key("kyuubi.backend.engine.exec.pool.size", "100",
            ValueType.intRange(1, 10000), false, "Statements an engine runs at once (threads, started as needed and "
            + "ended after a minute idle); engines launched from now on.");
    public static final ConfigKey<Integer> ENGINE_EXEC_QUEUE_SIZE = key(
            "kyuubi.backend.engine.exec.pool.wait.queue.size", "100", ValueType.intRange(1, 100000), false,
            "Statements an engine keeps waiting when all its statement threads are busy; beyond, a statement is "
            + "refused with an error naming this key.");
    public static final ConfigKey<Duration> ENGINE_LOGIN_TIMEOUT = key("kyuubi.session.engine.login.timeout",
            "PT15S", DURATION, false, "How long connecting to an engine (and closing a session there) may take.");
    public static final ConfigKey<Integer> ENGINE_REPLY_MAX_BYTES = key("kitsune.engine.reply.max.bytes",
            "268435456", ValueType.intRange(1024, Integer.MAX_VALUE), false, "Largest reply (bytes) the server "
            + "takes from an engine for one call, a FetchResults batch above all; a larger one fails that call "
            + "naming this key (the client fetches fewer rows at a time) instead of filling the server's heap.");
    public static final ConfigKey<Integer> ENGINE_MAX_PER_USER = key("kitsune.engine.max.per.user", "8",
            ValueType.intRange(0, 100000), false, "Most engines one engine owner (the user of USER and CONNECTION "
            + "engines, the group of GROUP engines) may have registered or launching in the namespace at once, "
            + "counting every share level, subdomain and engine home; a session that would launch one more is refused "
            + "naming this key, and sessions on running engines are not affected. 0: no limit.");
    public static final ConfigKey<Integer> ENGINE_CONNECTIONS = key("kitsune.engine.connections.max", "64",
            ValueType.intRange(1, 10000), false, "Connections this server opens at most to one engine, shared by all "
            + "its sessions there (an idle session holds none); a call finding all busy waits its turn (first come, "
            + "first served) up to kitsune.engine.connections.wait, then fails naming both keys.");
    public static final ConfigKey<Duration> ENGINE_CONNECTIONS_WAIT = key("kitsune.engine.connections.wait", "PT60S",
            DURATION, false, "How long a call waits for one of this server's connections to its engine when all "
            + "kitsune.engine.connections.max are busy (long status polls, slow metadata calls and synchronous "
            + "statements hold one each); calls wait in the order they came, and one that waited this long fails "
            + "naming both keys.");

    // ---- metrics (bundle kitsune.metrics) ----
    public static final ConfigKey<Boolean> METRICS_ENABLED = key("kyuubi.metrics.enabled", "true", BOOLEAN, true,
            "Serve the server's metrics.");
    public static final ConfigKey<List<String>> METRICS_REPORTERS = key("kyuubi.metrics.reporters", "PROMETHEUS",
            ValueType.listOf("PROMETHEUS", "JMX", "JSON", "CONSOLE", "SLF4J"), true,
            "Metric reporters: PROMETHEUS (an HTTP endpoint to scrape), JSON (report.json in "
            + "kyuubi.metrics.json.location, rewritten every kyuubi.metrics.json.interval), SLF4J (every meter logged "
            + "to the logger kitsune.metrics every kyuubi.metrics.slf4j.interval); JMX and CONSOLE are accepted for "
            + "Kyuubi compatibility and report nothing (a warning says so). Kyuubi's default is JSON.");
    public static final ConfigKey<Duration> METRICS_JSON_INTERVAL = key("kyuubi.metrics.json.interval", "PT5S",
            DURATION, true, "How often the JSON reporter rewrites its file.");
    public static final ConfigKey<String> METRICS_JSON_LOCATION = key("kyuubi.metrics.json.location", "metrics",
            STRING, true, "Directory of the JSON reporter's report.json; a relative path is taken from "
            + "kitsune.log.dir (Kyuubi: from the working directory).");
    public static final ConfigKey<Duration> METRICS_SLF4J_INTERVAL = key("kyuubi.metrics.slf4j.interval", "PT5S",
            DURATION, true, "How often the SLF4J reporter logs every meter.");
    // ---- audit and event logs ----
    public static final ConfigKey<List<String>> EVENT_LOGGERS = key("kyuubi.backend.server.event.loggers", "", LIST,
            true, "Event loggers of the server: JSON writes server, session and operation events as JSON lines under "
            + "kyuubi.backend.server.event.json.log.path; empty writes none. Kyuubi's JDBC and CUSTOM are accepted "
            + "and write nothing (a warning says so). The audit log (logger kitsune.audit) is written either way.");
    public static final ConfigKey<String> EVENT_JSON_LOG_PATH = key("kyuubi.backend.server.event.json.log.path",
            "events", STRING, true, "Directory of the JSON event log: <path>/<event type>/day=<yyyy-MM-dd>/"
            + "<server>.json, a new file each day; a relative path is taken from kitsune.log.dir (Kyuubi's default "
            + "is file:///tmp/kyuubi/events; a file: URI is accepted).");
    public static final ConfigKey<Integer> EVENT_QUEUE_SIZE = key("kitsune.backend.server.event.queue.size", "10000",
            ValueType.intRange(1, 1_000_000), true, "Events (audit lines and JSON events) waiting for the background "
            + "thread that writes them; when the queue is full a JSON event is dropped and counted (a warning says how "
            + "many) and an audit line is written by the client's call itself, so the audit log loses nothing.");
    public static final ConfigKey<Duration> EVENT_FLUSH_INTERVAL = key("kitsune.backend.server.event.flush.interval",
            "PT0.1S", ValueType.durationRange(Duration.ofMillis(1), Duration.ofMinutes(1)), true, "How long an audit line or JSON event may wait before the background thread "
            + "writes it (sooner when the queue is half full). A client's call only queues its events; longer waits "
            + "write in larger batches. What is queued is written when the server stops, and lost if it is killed.");
    public static final ConfigKey<Boolean> METRICS_USER_LABELS = key("kitsune.metrics.user.labels", "false", BOOLEAN,
            true, "Label the per-user series (kyuubi_connection_total, kyuubi_statement_total/_failed, "
            + "kitsune_sessions_open) with the session's user. Off by default: each user is a series of its own in "
            + "every scrape. Refused logins and sessions are never labelled by user name (a client could add a "
            + "series with each attempt).");
    public static final ConfigKey<Integer> METRICS_PROMETHEUS_PORT = key("kyuubi.metrics.prometheus.port", "10019",
            PORT, true, "Port of the Prometheus endpoint; 0 picks a free port.");
    public static final ConfigKey<String> METRICS_PROMETHEUS_PATH = key("kyuubi.metrics.prometheus.path", "/metrics",
            STRING, true, "URL path of the Prometheus endpoint.");
    public static final ConfigKey<String> METRICS_PROMETHEUS_BIND_HOST = key("kitsune.metrics.prometheus.bind.host",
            "", STRING, true, "Bind address of the Prometheus endpoint; falls back to kyuubi.frontend.bind.host, then "
            + "to this machine's address (not every interface; 0.0.0.0 binds all).");
    public static final ConfigKey<String> METRICS_PROMETHEUS_USERNAME = key("kitsune.metrics.prometheus.username", "",
            STRING, true, "With kitsune.metrics.prometheus.password: the user a scrape must log in as (HTTP Basic); "
            + "both empty: the endpoint answers without a login.");
    public static final ConfigKey<String> METRICS_PROMETHEUS_PASSWORD = key("kitsune.metrics.prometheus.password", "",
            STRING, true, "With kitsune.metrics.prometheus.username: the password a scrape must send (HTTP Basic, "
            + "answered 401 otherwise). Setting only one of the two keys leaves the endpoint off. Never logged.");

    // ---- batches and their metadata store ----
    public static final ConfigKey<String> METADATA_STORE_JDBC_DATABASE_TYPE = key(
            "kyuubi.metadata.store.jdbc.database.type", "DERBY", ValueType.oneOf("DERBY", "POSTGRESQL", "MYSQL"), true,
            "Database of the batch metadata store. DERBY (default): embedded Apache Derby under KITSUNE_WORK_DIR, "
            + "single-process, for one server or pseudo mode; POSTGRESQL or MYSQL for servers that share batches "
            + "(their JDBC driver jar in lib/jdbc). Kyuubi's default is SQLITE, which Kitsune does not offer.");
    public static final ConfigKey<String> METADATA_STORE_JDBC_URL = key("kyuubi.metadata.store.jdbc.url", "", STRING,
            true, "JDBC URL of the batch metadata store; empty with DERBY: jdbc:derby:<KITSUNE_WORK_DIR>/metadata "
            + "(created at the first start).");
    public static final ConfigKey<String> METADATA_STORE_JDBC_DRIVER = key("kyuubi.metadata.store.jdbc.driver", "",
            STRING, true, "JDBC driver class of the metadata store; empty: the database type's usual driver.");
    public static final ConfigKey<List<String>> METADATA_STORE_JDBC_DRIVER_JARS = key(
            "kitsune.metadata.store.jdbc.driver.jars", "", LIST, true, "Jars (comma-separated, relative to "
            + "KITSUNE_HOME) of the metadata store's JDBC driver for POSTGRESQL or MYSQL; Derby is built in.");
    public static final ConfigKey<String> METADATA_STORE_JDBC_USER = key("kyuubi.metadata.store.jdbc.user", "", STRING,
            true, "User of the metadata store's database.");
    public static final ConfigKey<String> METADATA_STORE_JDBC_PASSWORD = key("kyuubi.metadata.store.jdbc.password", "",
            STRING, true, "Password of the metadata store's database. Never logged.");
    public static final ConfigKey<Duration> METADATA_MAX_AGE = key("kyuubi.metadata.max.age", "PT72H", DURATION, false,
            "Ended batches are removed from the metadata store this long after their end.");
    public static final ConfigKey<Duration> METADATA_CLEANER_INTERVAL = key("kyuubi.metadata.cleaner.interval", "PT30M",
            DURATION, false, "How often a server removes ended batches older than kyuubi.metadata.max.age.");
    public static final ConfigKey<List<String>> STANDALONE_MASTER_WEBUI_URLS = key(
            "kitsune.batch.standalone.master.webui.urls", "", LIST, false, "Web UI URLs (comma-separated, e.g. "
            + "http://master1:8080) of the Spark standalone masters of spark.master, read (their /json/) to follow a "
            + "cluster-mode batch whose submitting server is gone: the driver's state there is the batch's. Empty: "
            + "http://<host>:8080 for each master host of spark.master. Kyuubi does not follow standalone batches.");
    public static final ConfigKey<List<String>> BATCH_RESOURCE_DIRS = key("kitsune.batch.resource.dirs", "", LIST,
            false, "Directories (comma-separated, absolute) under which a batch's resource (its application jar) may "
            + "lie; a path elsewhere, or one that leaves them through a symbolic link or '..', is refused. Empty: no "
            + "local resource is accepted. Stricter than Kyuubi, which submits any path the server can read.");
    public static final ConfigKey<Boolean> BATCH_RESOURCE_UPLOAD_ENABLED = key(
            "kyuubi.batch.resource.upload.enabled", "true", BOOLEAN, false,
            "Whether POST /api/v1/batches accepts multipart/form-data with the application as part resourceFile "
            + "(stored owner-only under KITSUNE_WORK_DIR/upload/<batch id>, removed when the batch ends); false "
            + "refuses such requests with 403.");
    public static final ConfigKey<Long> BATCH_RESOURCE_FILE_MAX_SIZE = key("kyuubi.batch.resource.file.max.size",
            "1073741824", ValueType.LONG, true, "Largest uploaded batch resource (bytes); a larger upload is refused "
            + "with 413 naming this key and nothing of it is kept. 0 or negative: no limit. Kyuubi's default is 0; "
            + "Kitsune's is 1 GiB.");
    public static final ConfigKey<Long> BATCH_EXTRA_RESOURCE_FILE_MAX_SIZE = key(
            "kyuubi.batch.extra.resource.file.max.size", "1073741824", ValueType.LONG, true,
            "Largest extra file of a batch upload (each file named in the BatchRequest's extraResourcesMap, in bytes); "
            + "a larger one is refused with 413 naming this key and nothing of the upload is kept. 0 or negative: no "
            + "limit. Kyuubi's default is 0; Kitsune's is 1 GiB, as for kyuubi.batch.resource.file.max.size.");
    public static final ConfigKey<Integer> BATCH_EXTRA_RESOURCE_FILES_MAX = key(
            "kitsune.batch.extra.resource.files.max", "16", ValueType.intRange(0, 1000), true,
            "Most extra files one batch upload may carry (extraResourcesMap); more are refused with 400 naming this "
            + "key. 0 refuses extraResourcesMap. Kyuubi has no such bound.");
    public static final ConfigKey<Duration> BATCH_APPLICATION_CHECK_INTERVAL = key(
            "kyuubi.batch.application.check.interval", "PT5S", DURATION, false,
            "How often a server checks the applications of the batches it owns, and looks for batches of servers "
            + "that are gone, to take them over.");
    public static final ConfigKey<Duration> BATCH_INTERNAL_REST_CLIENT_CONNECT_TIMEOUT = key(
            "kyuubi.batch.internal.rest.client.connect.timeout", "PT20S", DURATION, false,
            "How long a server waits to connect to the REST API of the server that owns a batch when it forwards a "
            + "request for that batch (localLog, DELETE) to it.");
    public static final ConfigKey<Duration> BATCH_INTERNAL_REST_CLIENT_SOCKET_TIMEOUT = key(
            "kyuubi.batch.internal.rest.client.socket.timeout", "PT20S", DURATION, false,
            "How long a server waits for the answer of the owning server to a forwarded batch request; after it the "
            + "client gets 504 naming this key. Forwarding needs kitsune.frontend.thrift.http.cookie.secrets set to "
            + "the same keys on every server of the namespace (they sign the forwarded caller).");

    // ---- console ----
    public static final ConfigKey<String> CONSOLE_USERNAME = key("kitsune.console.username", "admin", STRING, false,
            "Web Console user name.");
    public static final ConfigKey<String> CONSOLE_PASSWORD = key("kitsune.console.password", null, STRING, false,
            "Web Console password; while unset every console login is refused.");
    public static final ConfigKey<Boolean> CONSOLE_SSL_ENABLED = key("kitsune.console.ssl.enabled", "false", BOOLEAN,
            true, "Serve the Web Console over HTTPS only (plain HTTP is then not served on its port), with the key "
            + "store of kitsune.console.ssl.keystore.* or else kyuubi.frontend.ssl.keystore.*, and the TLS protocols "
            + "and cipher suites of the Thrift binary port (kyuubi.frontend.thrift.binary.ssl.*).");
    public static final ConfigKey<String> CONSOLE_SSL_KEYSTORE_PATH = key("kitsune.console.ssl.keystore.path", "",
            STRING, true, "Key store of the Web Console's certificate and key, relative to KITSUNE_HOME; empty: "
            + "kyuubi.frontend.ssl.keystore.path (and its password and type).");
    public static final ConfigKey<String> CONSOLE_SSL_KEYSTORE_PASSWORD = key("kitsune.console.ssl.keystore.password",
            "", STRING, true, "Password of the console's key store (and of its key).");
    public static final ConfigKey<String> CONSOLE_SSL_KEYSTORE_TYPE = key("kitsune.console.ssl.keystore.type", "",
            STRING, true, "Type of the console's key store, e.g. PKCS12 or JKS; empty: the JVM's default (PKCS12).");

    private ConfigKeys() {
    }

    /** All keys in catalogue order. */
    public static Map<String, ConfigKey<?>> all() {
        return Collections.unmodifiableMap(ALL);
    }

    public static ConfigKey<?> find(String name) {
        return ALL.get(name);
    }

    /**
     * Whether a key (Kitsune's, Kyuubi's, or a passed-through spark.* / hadoop.* one) holds a secret: its value is
     * never shown in a log line, an error message or an engine's log tail shown to a user. As Spark's redaction:
     * password, secret, token, access key, credential, and ZooKeeper's digest.
     */
    public static boolean looksSecret(String key) {
        return key != null && SECRET_KEY.matcher(key).find();
    }

    private static final java.util.regex.Pattern SECRET_KEY = java.util.regex.Pattern.compile(
            "(?i)password|secret|digest|token|credential|access[._-]?key|passwd|bindpw");
}
