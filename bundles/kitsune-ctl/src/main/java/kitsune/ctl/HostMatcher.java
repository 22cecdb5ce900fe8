package kitsune.ctl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Matches the host an operator typed against the host a server or engine published. Kyuubi compares the strings
 * only; here a name and its IP address match too: both sides are resolved and any common address counts.
 */
final class HostMatcher {
    /** Resolves a host name to its addresses; throws UnknownHostException when it does not resolve. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final String wanted;
    private final Set<InetAddress> wantedAddresses;
    private final Resolver resolver;
    private final Map<String, Set<InetAddress>> cache = new HashMap<>();

    private HostMatcher(String wanted, Set<InetAddress> wantedAddresses, Resolver resolver) {
        this.wanted = wanted;
        this.wantedAddresses = wantedAddresses;
        this.resolver = resolver;
    }

    /** @throws CtlException (usage) "Unknown host: H" when the host does not resolve */
    static HostMatcher of(String host, Resolver resolver) throws CtlException {
        try {
            return new HostMatcher(host, Set.copyOf(Arrays.asList(resolver.resolve(host))), resolver);
        } catch (UnknownHostException e) {
            throw CtlException.usage("Unknown host: " + host);
        }
    }

    static HostMatcher of(String host) throws CtlException {
        return of(host, InetAddress::getAllByName);
    }

    boolean matches(String published) {
        if (published == null) return false;
        if (published.toLowerCase(Locale.ROOT).equals(wanted.toLowerCase(Locale.ROOT))) return true;
        Set<InetAddress> addresses = cache.computeIfAbsent(published, h -> {
            try {
                return Arrays.stream(resolver.resolve(h)).collect(Collectors.toSet());
            } catch (UnknownHostException e) {
                return Set.of();
            }
        });
        for (InetAddress a : addresses) {
            if (wantedAddresses.contains(a)) return true;
        }
        return false;
    }
}
