package kitsune.internal.kerberos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import kitsune.api.conf.ConfigException;
import kitsune.api.conf.ConfigKeys;

/**
 * Hadoop's hadoop.security.auth_to_local: how a Kerberos principal becomes a local user name, with the rule language
 * and semantics of Hadoop's {@code KerberosName} (mechanism "hadoop"), written here to keep Hadoop off the server.
 * <ul>
 * <li>{@code DEFAULT}: the first component, when the principal's realm is the default realm (the server's).</li>
 * <li>{@code RULE:[n:format](regex)s/pattern/replacement/g}: applies to principals of n components; the format builds
 * a string from $0 (the realm), $1 and $2 (the components); the rule matches when that string matches the regex
 * (whole); the sed-like substitution (first match, every match with g) gives the name. An optional {@code /L} at
 * the end lower-cases the result.</li>
 * </ul>
 * The first rule that gives a name wins. A principal no rule maps, or a result still holding '/' or '@', is refused.
 */
public final class AuthToLocal {
    private static final Pattern NAME = Pattern.compile("([^/@]+)(/([^/@]+))?(@([^/@]+))?");
    private static final Pattern RULE = Pattern.compile(
            "\\s*((DEFAULT)|(RULE:\\[(\\d*):([^\\]]*)](\\(([^)]*)\\))?(s/([^/]*)/([^/]*)/(g)?)?))/?(L)?");
    private static final Pattern PARAMETER = Pattern.compile("([^$]*)(\\$(\\d*))?");
    private static final Pattern NON_SIMPLE = Pattern.compile("[/@]");

    /** A principal that no rule maps, or that is not of the form name[/host][@REALM]. */
    public static final class NoMapping extends Exception {
        private static final long serialVersionUID = 1L;

        NoMapping(String message) {
            super(message);
        }
    }

    private record Rule(boolean isDefault, int components, String format, Pattern match, Pattern from, String to,
            boolean repeat, boolean lower, String text) {
        String apply(String[] params, String defaultRealm) throws NoMapping {
            String result = null;
            if (isDefault) {
                if (defaultRealm.equals(params[0])) result = params[1];
            } else if (params.length - 1 == components) {
                String base = replaceParameters(format, params);
                if (match == null || match.matcher(base).matches()) {
                    result = from == null ? base : repeat ? from.matcher(base).replaceAll(to)
                            : from.matcher(base).replaceFirst(to);
                }
            }
            if (result != null && NON_SIMPLE.matcher(result).find()) {
                throw new NoMapping("the rule " + text + " gives '" + result + "', not a simple user name");
            }
            return result != null && lower ? result.toLowerCase(Locale.ENGLISH) : result;
        }
    }

    private final List<Rule> rules;
    private final String defaultRealm;
    private final String text;

    private AuthToLocal(List<Rule> rules, String defaultRealm, String text) {
        this.rules = rules;
        this.defaultRealm = defaultRealm;
        this.text = text;
    }

    /**
     * @param defaultRealm the realm DEFAULT strips (the server's own)
     * @throws ConfigException naming hadoop.security.auth_to_local and the part that is not a rule
     */
    public static AuthToLocal parse(String value, String defaultRealm) {
        String key = ConfigKeys.AUTH_TO_LOCAL.name();
        String remaining = value == null || value.isBlank() ? "DEFAULT" : value.trim();
        String all = remaining;
        List<Rule> rules = new ArrayList<>();
        while (!remaining.isEmpty()) {
            Matcher m = RULE.matcher(remaining);
            if (!m.lookingAt()) {
                throw new ConfigException(key, "Invalid value for " + key + ": '" + firstLine(remaining) + "' is not a "
                        + "rule; write DEFAULT or RULE:[n:format](regex)s/pattern/replacement/g, optionally followed "
                        + "by /L, separated by white space");
            }
            String text = m.group().trim();
            if (m.group(2) != null) {
                rules.add(new Rule(true, 0, null, null, null, null, false, m.group(12) != null, text));
            } else {
                try {
                    int n = Integer.parseInt(m.group(4));
                    rules.add(new Rule(false, n, m.group(5), m.group(7) == null ? null : Pattern.compile(m.group(7)),
                            m.group(9) == null ? null : Pattern.compile(m.group(9)), m.group(10),
                            "g".equals(m.group(11)), "L".equals(m.group(12)), text));
                } catch (PatternSyntaxException | NumberFormatException e) {
                    throw new ConfigException(key, "Invalid value for " + key + ": the rule " + text + " has an "
                            + "invalid regular expression or component count (" + firstLine(e.getMessage()) + ")");
                }
            }
            remaining = remaining.substring(m.end()).trim();
        }
        return new AuthToLocal(List.copyOf(rules), defaultRealm, all);
    }

    /**
     * The local user name of a principal, e.g. alice for alice@REALM with DEFAULT.
     *
     * @throws NoMapping when no rule applies (naming the principal), a rule's result is not a simple name, or the
     *                   principal is not of the form name[/host][@REALM]
     */
    public String shortName(String principal) throws NoMapping {
        Matcher m = NAME.matcher(principal);
        if (!m.matches()) throw new NoMapping("'" + principal + "' is not a principal of the form name[/host]@REALM");
        String service = m.group(1);
        String host = m.group(3);
        String realm = m.group(5);
        String[] params;
        if (host == null) {
            if (realm == null) return service;
            params = new String[] {realm, service};
        } else {
            params = new String[] {realm, service, host};
        }
        for (Rule r : rules) {
            String result = r.apply(params, defaultRealm);
            if (result != null) {
                if (result.isEmpty()) throw new NoMapping("the rule " + r.text() + " gives an empty user name");
                return result;
            }
        }
        throw new NoMapping("no rule of " + ConfigKeys.AUTH_TO_LOCAL.name() + " maps " + principal
                + " to a user (DEFAULT maps only principals of realm " + defaultRealm + ")");
    }

    /** Hadoop's $0/$1/$2 substitution. */
    private static String replaceParameters(String format, String[] params) throws NoMapping {
        Matcher m = PARAMETER.matcher(format);
        int start = 0;
        StringBuilder result = new StringBuilder();
        while (start < format.length() && m.find(start)) {
            result.append(m.group(1));
            String n = m.group(3);
            if (n != null) {
                int i = n.isEmpty() ? -1 : Integer.parseInt(n);
                if (i < 0 || i >= params.length) {
                    throw new NoMapping("the parameter $" + n + " of " + format + " is outside 0 to "
                            + (params.length - 1));
                }
                result.append(params[i]);
            }
            start = m.end();
        }
        return result.toString();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public String toString() {
        return text.replaceAll("\\s+", " ");
    }
}
