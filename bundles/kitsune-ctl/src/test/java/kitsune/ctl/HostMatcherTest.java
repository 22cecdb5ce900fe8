package kitsune.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HostMatcherTest {
    private static InetAddress ip(String a) throws UnknownHostException {
        return InetAddress.getByName(a);
    }

    private final Map<String, InetAddress[]> dns;

    HostMatcherTest() throws UnknownHostException {
        dns = Map.of(
                "kitsune-1.example.com", new InetAddress[] {ip("10.0.0.1")},
                "KITSUNE-1.example.com", new InetAddress[] {ip("10.0.0.1")},
                "kitsune-2.example.com", new InetAddress[] {ip("10.0.0.2"), ip("10.0.1.2")},
                "10.0.0.1", new InetAddress[] {ip("10.0.0.1")},
                "10.0.1.2", new InetAddress[] {ip("10.0.1.2")});
    }

    private InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] a = dns.get(host);
        if (a == null) throw new UnknownHostException(host);
        return a;
    }

    @Test
    void nameMatchesItselfItsIpAndCaseInsensitively() throws Exception {
        HostMatcher byName = HostMatcher.of("kitsune-1.example.com", this::resolve);
        assertTrue(byName.matches("kitsune-1.example.com"));
        assertTrue(byName.matches("10.0.0.1"));
        assertFalse(byName.matches("kitsune-2.example.com"));
        assertFalse(byName.matches("unresolvable.example.com"));
        assertFalse(byName.matches(null));

        HostMatcher byIp = HostMatcher.of("10.0.0.1", this::resolve);
        assertTrue(byIp.matches("kitsune-1.example.com"));
        assertTrue(byIp.matches("KITSUNE-1.example.com"));
        assertFalse(byIp.matches("kitsune-2.example.com"));

        assertTrue(HostMatcher.of("10.0.1.2", this::resolve).matches("kitsune-2.example.com"), "any common address");
    }

    @Test
    void unknownHostIsAUsageError() {
        CtlException e = assertThrows(CtlException.class, () -> HostMatcher.of("nosuch.example.com", this::resolve));
        assertEquals("Unknown host: nosuch.example.com", e.getMessage());
        assertEquals(CtlException.USAGE, e.exitCode());
    }

    @Test
    void realResolverMatchesLoopbackNames() throws Exception {
        HostMatcher m = HostMatcher.of("127.0.0.1");
        assertTrue(m.matches("127.0.0.1"));
        assertTrue(m.matches("localhost") || !InetAddress.getByName("localhost").isLoopbackAddress());
    }
}
