package kitsune.auth.impl;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

/**
 * A real LDAP server for the tests (UnboundID's in-memory directory, LDAP protocol on 127.0.0.1), seeded with two
 * trees: dc=example,dc=com like OpenLDAP (inetOrgPerson users with uid, groupOfNames with member DNs, posixGroup with
 * memberUid) and dc=corp,dc=example like Active Directory (user entries named by CN with sAMAccountName,
 * userPrincipalName and memberOf, groups of class group). Schema checking is off: Active Directory's attributes are
 * not in the standard schema.
 */
final class TestDirectory implements AutoCloseable {
    static final String PEOPLE = "ou=people,dc=example,dc=com";
    static final String GROUPS = "ou=groups,dc=example,dc=com";
    static final String SERVICE_DN = "cn=kyuubi,ou=services,dc=example,dc=com";
    static final String SERVICE_PASSWORD = "service-secret-42";
    static final String AD_USERS = "cn=Users,dc=corp,dc=example";
    static final String AD_GROUPS = "ou=Groups,dc=corp,dc=example";
    static final String AD_SERVICE_DN = "CN=svc-kyuubi," + AD_USERS;

    /** Settings of the OpenLDAP-style tree searched through the service account, followed by {@code more}. */
    static String[] openLdapSearch(String... more) {
        java.util.List<String> kv = new java.util.ArrayList<>(java.util.List.of("kyuubi.authentication.ldap.baseDN",
                "dc=example,dc=com", "kyuubi.authentication.ldap.binddn", SERVICE_DN,
                "kyuubi.authentication.ldap.bindpw", SERVICE_PASSWORD));
        kv.addAll(java.util.List.of(more));
        return kv.toArray(String[]::new);
    }

    final InMemoryDirectoryServer server;
    final String url;

    TestDirectory() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=com",
                "dc=corp,dc=example");
        config.setSchema(null);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(),
                0, null));
        server = new InMemoryDirectoryServer(config);
        // OpenLDAP style
        server.add("dn: dc=example,dc=com", "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
        person("alice", "wonderland");
        person("bob", "builder");
        person("eve", "eavesdrop");
        server.add("dn: ou=staff,dc=example,dc=com", "objectClass: organizationalUnit", "ou: staff");
        server.add("dn: cn=carl,ou=staff,dc=example,dc=com", "objectClass: inetOrgPerson", "cn: carl", "sn: C",
                "userPassword: carpenter");
        server.add("dn: ou=services,dc=example,dc=com", "objectClass: organizationalUnit", "ou: services");
        server.add("dn: " + SERVICE_DN, "objectClass: inetOrgPerson", "cn: kyuubi", "sn: K",
                "userPassword: " + SERVICE_PASSWORD);
        // a subtree holding one user only: a filter '(uid=*)' under it would find exactly that user
        server.add("dn: ou=solo,dc=example,dc=com", "objectClass: organizationalUnit", "ou: solo");
        server.add("dn: uid=admin,ou=solo,dc=example,dc=com", "objectClass: inetOrgPerson", "uid: admin", "cn: admin",
                "sn: A", "userPassword: shared-secret");
        server.add("dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups");
        server.add("dn: cn=analysts," + GROUPS, "objectClass: groupOfNames", "cn: analysts",
                "member: uid=alice," + PEOPLE);
        server.add("dn: cn=builders," + GROUPS, "objectClass: groupOfNames", "cn: builders",
                "member: uid=bob," + PEOPLE);
        server.add("dn: cn=posix-analysts," + GROUPS, "objectClass: posixGroup", "cn: posix-analysts",
                "gidNumber: 5000", "memberUid: alice");
        // a group named like an allowed one, outside ou=groups: counts only without groupDNPattern
        server.add("dn: ou=elsewhere,dc=example,dc=com", "objectClass: organizationalUnit", "ou: elsewhere");
        server.add("dn: cn=analysts,ou=elsewhere,dc=example,dc=com", "objectClass: groupOfNames", "cn: analysts",
                "member: uid=eve," + PEOPLE);
        // Active Directory style
        server.add("dn: dc=corp,dc=example", "objectClass: top", "objectClass: domain", "dc: corp");
        server.add("dn: " + AD_USERS, "objectClass: container", "cn: Users");
        server.add("dn: " + AD_GROUPS, "objectClass: organizationalUnit", "ou: Groups");
        server.add("dn: " + AD_SERVICE_DN, "objectClass: user", "cn: svc-kyuubi", "sAMAccountName: svc-kyuubi",
                "userPassword: " + SERVICE_PASSWORD);
        adUser("Carol Jones", "carol", "Pa55-carol", "CN=Analysts," + AD_GROUPS);
        adUser("Dave Smith", "dave", "Pa55-dave", "CN=Sales," + AD_GROUPS);
        server.add("dn: CN=Analysts," + AD_GROUPS, "objectClass: group", "cn: Analysts",
                "member: CN=Carol Jones," + AD_USERS);
        server.add("dn: CN=Sales," + AD_GROUPS, "objectClass: group", "cn: Sales", "member: CN=Dave Smith," + AD_USERS);
        server.startListening();
        url = "ldap://127.0.0.1:" + server.getListenPort();
    }

    private void person(String uid, String password) throws Exception {
        server.add("dn: uid=" + uid + "," + PEOPLE, "objectClass: inetOrgPerson", "objectClass: posixAccount",
                "uid: " + uid, "cn: " + uid, "sn: " + uid, "userPassword: " + password);
    }

    private void adUser(String cn, String sam, String password, String memberOf) throws Exception {
        server.add("dn: CN=" + cn + "," + AD_USERS, "objectClass: top", "objectClass: person",
                "objectClass: organizationalPerson", "objectClass: user", "cn: " + cn, "sAMAccountName: " + sam,
                "userPrincipalName: " + sam + "@corp.example", "memberOf: " + memberOf, "userPassword: " + password);
    }

    /** An authenticator configured with the URL of this directory and the given settings. */
    LdapAuthenticator authenticator(String... keysAndValues) {
        Map<String, Object> props = new HashMap<>();
        props.put("kyuubi.authentication.ldap.url", url);
        for (int i = 0; i < keysAndValues.length; i += 2) props.put(keysAndValues[i], keysAndValues[i + 1]);
        LdapAuthenticator a = new LdapAuthenticator();
        a.configure(props);
        return a;
    }

    /** A group provider configured with the URL of this directory and the given settings. */
    LdapGroupProvider groupProvider(String... keysAndValues) {
        Map<String, Object> props = new HashMap<>();
        props.put("kyuubi.authentication.ldap.url", url);
        for (int i = 0; i < keysAndValues.length; i += 2) props.put(keysAndValues[i], keysAndValues[i + 1]);
        LdapGroupProvider p = new LdapGroupProvider();
        p.configure(props);
        return p;
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
