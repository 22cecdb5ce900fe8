package kitsune.ctl;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * kyuubi-ctl's command line: {@code <action> <resource> [options]}, options before, between or after the words, with
 * kyuubi-ctl's long names and abbreviations (-zk, -n, -s, -p, -v, -u, -et, -es, -esl).
 */
@Command(name = "kitsune-ctl")
final class CtlArgs {
    @Parameters(arity = "0..*", paramLabel = "WORD")
    List<String> words = new ArrayList<>();

    @Option(names = {"-zk", "--zk-quorum"}, paramLabel = "QUORUM")
    String zkQuorum;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS")
    String namespace;

    @Option(names = {"-s", "--host"}, paramLabel = "HOST")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT")
    String port;

    @Option(names = {"-v", "--version"}, paramLabel = "VERSION")
    String version;

    @Option(names = {"-u", "--user"}, paramLabel = "USER")
    String user;

    @Option(names = {"-et", "--engine-type"}, paramLabel = "TYPE")
    String engineType;

    @Option(names = {"-es", "-esd", "--engine-subdomain"}, paramLabel = "SUBDOMAIN")
    String engineSubdomain;

    @Option(names = {"-esl", "--engine-share-level"}, paramLabel = "LEVEL")
    String engineShareLevel;

    @Option(names = "--hostUrl", paramLabel = "URL")
    String hostUrl;

    @Option(names = "--authSchema", paramLabel = "SCHEMA")
    String authSchema;

    @Option(names = "--username", paramLabel = "USER")
    String username;

    @Option(names = "--password", paramLabel = "PASSWORD")
    String password;

    @Option(names = "--spnegoHost", paramLabel = "HOST")
    String spnegoHost;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE")
    String filename;

    @Option(names = "--batchType", paramLabel = "TYPE")
    String batchType;

    @Option(names = "--batchUser", paramLabel = "USER")
    String batchUser;

    @Option(names = "--batchState", paramLabel = "STATE")
    String batchState;

    @Option(names = "--batchName", paramLabel = "NAME")
    String batchName;

    @Option(names = "--createTime", paramLabel = "yyyyMMddHHmmss")
    String createTime;

    @Option(names = "--endTime", paramLabel = "yyyyMMddHHmmss")
    String endTime;

    @Option(names = "--from", paramLabel = "N")
    String from;

    @Option(names = "--size", paramLabel = "N")
    String size;

    @Option(names = "--forward")
    boolean forward;

    @Option(names = "--waitCompletion", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true")
    boolean waitCompletion = true;

    @Option(names = "--conf", paramLabel = "K=V")
    List<String> conf = new ArrayList<>();

    @Option(names = {"-b", "--verbose"})
    boolean verbose;

    @Option(names = {"-h", "--help"})
    boolean help;

    /** Parses; a malformed command line becomes a usage CtlException with picocli's one-line reason. */
    static CtlArgs parse(String... args) throws CtlException {
        CtlArgs a = new CtlArgs();
        CommandLine cl = new CommandLine(a);
        cl.setOverwrittenOptionsAllowed(true);
        cl.setPosixClusteredShortOptionsAllowed(false);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            String msg = e.getMessage();
            if (msg != null && msg.startsWith("Missing required parameter for option")) {
                msg = msg.replace("Missing required parameter for option", "Missing value for option");
            }
            throw CtlException.usage(msg + " (see kitsune-ctl --help)");
        }
        return a;
    }

    static String usage() {
        return """
                Usage: kitsune-ctl <create|get|delete|list> <server|engine|session|batch> [options]
                       kitsune-ctl <submit|log> batch [options]

                Kitsune's operator CLI, with kyuubi-ctl's syntax; talks to ZooKeeper directly, or to a server's
                REST API for sessions and, with --hostUrl, for engines.

                Commands:
                  list server                        the servers registered in the namespace
                  get server -s HOST -p PORT         the server registered at HOST:PORT
                  delete server -s HOST -p PORT      de-register that server: it stops once its sessions are closed
                  create server -n OTHER_NAMESPACE   expose the namespace's servers in another namespace
                                                     (persistent nodes; delete them with delete server -n ...)
                  list engine -u USER                the engines of USER in an engine space
                  get engine -u USER [-s H -p P]     the same, optionally only the one at H:P
                  delete engine -u USER [-s H -p P]  de-register those engines: each stops once its sessions are closed
                  list session --hostUrl URL         the server's live sessions (all of them for an administrator)
                  delete session ID --hostUrl URL    close a session (an administrator's call)
                  list engine / delete engine -u USER --hostUrl URL
                                                     the same over the server's REST admin API (administrators)
                  create batch -f FILE.yaml          submit the batch the file describes; prints the batch
                  submit batch -f FILE.yaml          the same, then follow its log until it ends
                                                     (exit status 1 when it ends in ERROR or CANCELED)
                  get batch ID                       a batch's state, application and times
                  list batch                         the batches (yours; every user's for an administrator)
                  log batch ID                       a batch's local log (--from, --size; --forward follows it)
                  delete batch ID                    cancel a batch (kills its application)

                Options:
                  -zk, --zk-quorum QUORUM            ZooKeeper connect string [kyuubi.ha.addresses, or
                                                     127.0.0.1:kyuubi.zookeeper.embedded.client.port when empty]
                  -n, --namespace NS                 namespace [kyuubi.ha.namespace]
                  -s, --host HOST                    host of a server or engine (name or IP address)
                  -p, --port PORT                    port of a server or engine
                  -v, --version VERSION              servers: only nodes of this version [all];
                                                     engines: engine space version [1-<kitsune.engine.spark.home>]
                  -u, --user USER                    engine user (the group for GROUP, the server's OS user for SERVER)
                  -et, --engine-type TYPE            [kyuubi.engine.type]
                  -esl, --engine-share-level LEVEL   CONNECTION, USER, GROUP or SERVER [kyuubi.engine.share.level]
                  -es, -esd, --engine-subdomain SUB  [kyuubi.engine.share.level.subdomain, else default;
                                                     all subdomains for CONNECTION]
                  --hostUrl URL                      REST API of a server, e.g. http://host:10099
                                                     [kyuubi.ctl.rest.base.url]
                  --authSchema basic|spnego          REST login: HTTP Basic with --username and --password, or
                                                     Kerberos (SPNEGO) from the ticket cache or a JAAS keytab login
                                                     [kyuubi.ctl.rest.auth.schema, basic]
                  --username USER, --password PW     REST login [the OS user, empty password]
                  --spnegoHost HOST                  spnego: the REST API's principal is HTTP/HOST
                                                     [kyuubi.ctl.rest.spnego.host, else the host of --hostUrl]
                  -f, --filename FILE                the batch file (YAML: apiVersion, username, request
                                                     {batchType, name, resource, className, args, configs})
                  --batchType TYPE, --batchUser USER, --batchState STATE, --batchName NAME
                                                     list batch: only those batches
                  --createTime yyyyMMddHHmmss        list batch: created at or after
                  --endTime yyyyMMddHHmmss           list batch: ended at or before
                  --from N, --size N                 list batch, log batch: the page [0, 100]
                  --forward                          log batch: follow the log until the batch ends, asking every
                                                     kyuubi.ctl.batch.log.query.interval [PT3S]
                  --waitCompletion false             submit batch: stop following once the application runs
                  --conf K=V                         a configuration value over kyuubi-defaults.conf (repeatable)
                  -b, --verbose                      print the parsed arguments
                  -h, --help                         show this help and exit

                Configuration: $KITSUNE_CONF_DIR/kyuubi-defaults.conf [$KITSUNE_HOME/conf].
                Exit status: 0 success, 1 the command failed, 2 invalid command line.
                """;
    }
}
