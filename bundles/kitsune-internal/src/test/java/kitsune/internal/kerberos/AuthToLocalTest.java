package kitsune.internal.kerberos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kitsune.api.conf.ConfigException;

/** hadoop.security.auth_to_local, against the examples of Hadoop's documentation and its KerberosName tests. */
class AuthToLocalTest {
    private static final String REALM = "APACHE.ORG";

    private static String map(String rules, String principal) throws AuthToLocal.NoMapping {
        return AuthToLocal.parse(rules, REALM).shortName(principal);
    }

    @Test
    void defaultStripsTheDefaultRealmAndTheHostOnly() throws Exception {
        assertEquals("alice", map("DEFAULT", "alice@APACHE.ORG"));
        assertEquals("hdfs", map("DEFAULT", "hdfs/nn1.apache.org@APACHE.ORG"));
        assertEquals("alice", map("", "alice@APACHE.ORG"), "an empty value is DEFAULT");
        AuthToLocal.NoMapping other = assertThrows(AuthToLocal.NoMapping.class,
                () -> map("DEFAULT", "alice@EVIL.ORG"));
        assertEquals("no rule of hadoop.security.auth_to_local maps alice@EVIL.ORG to a user (DEFAULT maps only "
                + "principals of realm APACHE.ORG)", other.getMessage());
    }

    @Test
    void hadoopsKerberosNameRulesTranslateAsInHadoop() throws Exception {
        // Hadoop's TestKerberosName#testRules, default realm APACHE.ORG
        String rules = "RULE:[1:$1@$0](.*@YAHOO\\.COM)s/@.*//\n"
                + "RULE:[2:$1](johndoe)s/^.*$/guest/\n"
                + "RULE:[2:$1;$2](^.*;admin$)s/;admin$//\n"
                + "RULE:[2:$2](root)\n"
                + "DEFAULT";
        assertEquals("omalley", map(rules, "omalley@APACHE.ORG"));
        assertEquals("hdfs", map(rules, "hdfs/10.0.0.1@APACHE.ORG"));
        assertEquals("oom", map(rules, "oom@YAHOO.COM"));
        assertEquals("guest", map(rules, "johndoe/zoo@FOO.COM"));
        assertEquals("joe", map(rules, "joe/admin@FOO.COM"));
        assertEquals("root", map(rules, "joe/root@FOO.COM"));
        for (String unmapped : new String[] {"foo@ACME.COM", "root/joe@FOO.COM"}) {
            assertThrows(AuthToLocal.NoMapping.class, () -> map(rules, unmapped), unmapped);
        }
    }

    @Test
    void lowerCaseRulesAndGlobalSubstitution() throws Exception {
        // Hadoop's TestKerberosName#testToLowerCase
        String rules = "RULE:[1:$1]/L\n"
                + "RULE:[2:$1]/L\n"
                + "RULE:[2:$1;$2](^.*;admin$)s/;admin$///L\n"
                + "RULE:[2:$1;$2](^.*;guest$)s/;guest$//g/L\n"
                + "DEFAULT";
        assertEquals("joe", map(rules, "Joe@FOO.COM"));
        assertEquals("joe", map(rules, "Joe/root@FOO.COM"));
        assertEquals("joe", map(rules, "Joe/admin@FOO.COM"));
        assertEquals("joe", map(rules, "Joe/guestguest@FOO.COM"));
        assertEquals("a-b-c", map("RULE:[1:$1](.*)s/_/-/g", "a_b_c@X.ORG"), "g replaces every match");
        assertEquals("a-b_c", map("RULE:[1:$1](.*)s/_/-/", "a_b_c@X.ORG"), "without g the first only");
    }

    @Test
    void theServiceRulesOfHadoopsSecureModeGuideMapDaemonsToTheirUsers() throws Exception {
        // Hadoop's "Hadoop in Secure Mode", Mapping from Kerberos principals to OS user accounts
        String rules = "RULE:[2:$1/$2@$0]([ndj]n/.*@REALM\\.TLD)s/.*/hdfs/\n"
                + "RULE:[2:$1/$2@$0]([rn]m/.*@REALM\\.TLD)s/.*/yarn/\n"
                + "RULE:[2:$1/$2@$0](jhs/.*@REALM\\.TLD)s/.*/mapred/\n"
                + "DEFAULT";
        AuthToLocal a = AuthToLocal.parse(rules, "REALM.TLD");
        assertEquals("hdfs", a.shortName("nn/host1.realm.tld@REALM.TLD"));
        assertEquals("hdfs", a.shortName("dn/host2.realm.tld@REALM.TLD"));
        assertEquals("yarn", a.shortName("rm/host1.realm.tld@REALM.TLD"));
        assertEquals("mapred", a.shortName("jhs/host1.realm.tld@REALM.TLD"));
        assertEquals("alice", a.shortName("alice@REALM.TLD"));
    }

    @Test
    void aRuleGivingANameWithASlashOrAnAtOrNothingIsRefused() {
        assertTrue(assertThrows(AuthToLocal.NoMapping.class, () -> map("RULE:[1:$1@$0]", "alice@X.ORG"))
                .getMessage().contains("gives 'alice@X.ORG', not a simple user name"));
        assertThrows(AuthToLocal.NoMapping.class, () -> map("RULE:[1:$1](.*)s/.*//", "alice@X.ORG"));
        assertThrows(AuthToLocal.NoMapping.class, () -> map("DEFAULT", "a/b/c@APACHE.ORG"),
                "three components are not a principal Hadoop knows");
        assertThrows(AuthToLocal.NoMapping.class, () -> map("RULE:[1:$3]", "alice@X.ORG"),
                "a parameter beyond the components");
    }

    @Test
    void anInvalidRuleStopsTheStartNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> AuthToLocal.parse("DEFAULT RULE:[1:$1", REALM));
        assertEquals("Invalid value for hadoop.security.auth_to_local: 'RULE:[1:$1' is not a rule; write DEFAULT or "
                + "RULE:[n:format](regex)s/pattern/replacement/g, optionally followed by /L, separated by white "
                + "space", e.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> AuthToLocal.parse("RULE:[1:$1]((x)", REALM))
                .getMessage().startsWith("Invalid value for hadoop.security.auth_to_local: the rule"));
        assertThrows(ConfigException.class, () -> AuthToLocal.parse("RULE:[:$1]", REALM));
    }
}
