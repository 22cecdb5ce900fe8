package kitsune.e2e;

import java.net.InetAddress;

import javax.net.ssl.SSLServerSocketFactory;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFException;

/**
 * A real LDAP directory for the end-to-end tests: UnboundID's in-memory server on 127.0.0.1 (LDAP, or LDAPS with the
 * given server certificate), holding dc=example,dc=com with users (inetOrgPerson, uid, userPassword) under
 * ou=people, and on demand a service account under ou=services and groups (groupOfNames) under ou=groups.
 */
final class Directory implements AutoCloseable {
    static final String BASE = "dc=example,dc=com";
    static final String PEOPLE = "ou=people," + BASE;
    static final String GROUPS = "ou=groups," + BASE;
    static final String SERVICES = "ou=services," + BASE;

    /** The server, for what a test adds, changes or removes itself. */
    final InMemoryDirectoryServer server;
    private final boolean tls;

    private Directory(InMemoryListenerConfig listener, boolean tls) throws LDAPException, LDIFException {
        this.tls = tls;
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setListenerConfigs(listener);
        server = new InMemoryDirectoryServer(config);
        server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: " + PEOPLE, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
        server.startListening();
    }

    /** Plain LDAP, with users given as {@code uid:password}. */
    static Directory ldap(String... users) throws LDAPException, LDIFException {
        Directory d = new Directory(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(),
                0, null), false);
        d.people(users);
        return d;
    }

    /** LDAPS with that server certificate, with users given as {@code uid:password}. */
    static Directory ldaps(SSLServerSocketFactory certificate, String... users) throws LDAPException, LDIFException {
        Directory d = new Directory(InMemoryListenerConfig.createLDAPSConfig("ldaps",
                InetAddress.getLoopbackAddress(), 0, certificate, null), true);
        d.people(users);
        return d;
    }

    /** Adds users given as {@code uid:password} under ou=people. */
    Directory people(String... users) throws LDAPException, LDIFException {
        for (String user : users) {
            int colon = user.indexOf(':');
            String uid = user.substring(0, colon);
            server.add("dn: uid=" + uid + "," + PEOPLE, "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid,
                    "sn: " + uid, "userPassword: " + user.substring(colon + 1));
        }
        return this;
    }

    /** Adds a service account (an inetOrgPerson named by cn) under ou=services; returns its DN. */
    String service(String cn, String password) throws LDAPException, LDIFException {
        if (server.getEntry(SERVICES) == null) {
            server.add("dn: " + SERVICES, "objectClass: organizationalUnit", "ou: services");
        }
        String dn = "cn=" + cn + "," + SERVICES;
        server.add("dn: " + dn, "objectClass: inetOrgPerson", "cn: " + cn, "sn: " + cn, "userPassword: " + password);
        return dn;
    }

    /** Adds a groupOfNames under ou=groups whose members are those users (by uid). */
    Directory group(String cn, String... memberUids) throws LDAPException, LDIFException {
        if (server.getEntry(GROUPS) == null) {
            server.add("dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups");
        }
        String[] entry = new String[3 + memberUids.length];
        entry[0] = "dn: cn=" + cn + "," + GROUPS;
        entry[1] = "objectClass: groupOfNames";
        entry[2] = "cn: " + cn;
        for (int i = 0; i < memberUids.length; i++) entry[3 + i] = "member: uid=" + memberUids[i] + "," + PEOPLE;
        server.add(entry);
        return this;
    }

    /** kyuubi.authentication.ldap.url for this directory. */
    String url() {
        return (tls ? "ldaps" : "ldap") + "://127.0.0.1:" + server.getListenPort();
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
