/**
 * What the server's bundles tell the audit and event log: logins, sessions and statements as they happen. The bundles
 * that know the events depend on this package only and keep serving while no
 * {@link kitsune.api.events.ServerEvents} service is registered.
 */
@Export
@Version("1.0.0")
package kitsune.api.events;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
