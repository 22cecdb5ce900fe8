package kitsune.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CtlArgsTest {

    @Test
    void longOptionsAnywhere() throws Exception {
        CtlArgs a = CtlArgs.parse("--zk-quorum", "zk1:2181,zk2:2181", "get", "--namespace", "ns1", "server",
                "--host", "h", "--port", "10009", "--version", "0.1.0", "--conf", "a.b=1", "--conf", "c.d=x=y");
        assertEquals(List.of("get", "server"), a.words);
        assertEquals("zk1:2181,zk2:2181", a.zkQuorum);
        assertEquals("ns1", a.namespace);
        assertEquals("h", a.host);
        assertEquals("10009", a.port);
        assertEquals("0.1.0", a.version);
        assertEquals(List.of("a.b=1", "c.d=x=y"), a.conf);
    }

    @Test
    void kyuubiCtlAbbreviations() throws Exception {
        CtlArgs a = CtlArgs.parse("list", "engine", "-zk", "zk:2181", "-n", "ns", "-s", "h", "-p", "1", "-v", "1-x",
                "-u", "alice", "-et", "SPARK_SQL", "-esl", "CONNECTION", "-es", "sub", "-b");
        assertEquals("zk:2181", a.zkQuorum);
        assertEquals("ns", a.namespace);
        assertEquals("h", a.host);
        assertEquals("1", a.port);
        assertEquals("1-x", a.version);
        assertEquals("alice", a.user);
        assertEquals("SPARK_SQL", a.engineType);
        assertEquals("CONNECTION", a.engineShareLevel);
        assertEquals("sub", a.engineSubdomain);
        assertTrue(a.verbose);
        assertEquals("adhoc", CtlArgs.parse("list", "engine", "-esd", "adhoc").engineSubdomain);
        assertEquals("adhoc", CtlArgs.parse("list", "engine", "--engine-subdomain=adhoc").engineSubdomain);
    }

    @Test
    void defaultsAreUnset() throws Exception {
        CtlArgs a = CtlArgs.parse("list", "server");
        assertNull(a.zkQuorum);
        assertNull(a.namespace);
        assertNull(a.version);
        assertTrue(a.conf.isEmpty());
        assertTrue(CtlArgs.parse("--help").help);
        assertTrue(CtlArgs.parse("list", "-h").help);
    }

    @Test
    void malformedCommandLinesAreUsageErrors() {
        CtlException e = assertThrows(CtlException.class, () -> CtlArgs.parse("list", "server", "--bogus"));
        assertEquals(CtlException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("Unknown option: '--bogus'"), e.getMessage());
        e = assertThrows(CtlException.class, () -> CtlArgs.parse("list", "server", "--zk-quorum"));
        assertTrue(e.getMessage().contains("'--zk-quorum'"), e.getMessage());
    }
}
