package kitsune.api.auth;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Knows users' groups, for the GROUP share level: a GROUP-level engine is shared by the users whose primary group is
 * the same. Registered as an OSGi service with the property {@link #NAME} giving the name that
 * {@code kyuubi.session.group.provider} selects it by (e.g. ldap); the built-in {@code hadoop} provider (the operating
 * system's groups, as Hadoop's default group mapping) needs no service. Providers may come and go while the server
 * runs: a session uses whichever is registered under the configured name at that moment.
 */
@ConsumerType
public interface GroupProvider {
    /** Service property: the name in kyuubi.session.group.provider that selects this provider. */
    String NAME = "kitsune.group.provider";

    /**
     * The user's primary group: the one a GROUP-level engine is shared in.
     *
     * @return empty when the user has no group here (the session then uses the user's own name as its group, as
     *         Kyuubi does)
     * @throws GroupLookupException when the groups cannot be looked up now; its message names the cause and is
     *                              shown to the client
     */
    Optional<String> primaryGroup(String user) throws GroupLookupException;
}
