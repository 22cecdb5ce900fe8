package kitsune.auth.impl;

import javax.naming.ldap.Rdn;

/**
 * Escaping of a user's name where it goes into a DN (RFC 4514). Search filters never have a name spliced in: it goes
 * as a JNDI filter argument ({@code {0}}), which the JDK escapes as RFC 4515 asks ('*' '(' ')' '\' and NUL).
 */
final class LdapEscape {
    private LdapEscape() {
    }

    /** A DN attribute value: ',' '+' '"' '\' '<' '>' ';' '=', a leading '#' or space, a trailing space, and NUL. */
    static String dnValue(String value) {
        return Rdn.escapeValue(value).replace("\u0000", "\\00");
    }
}
