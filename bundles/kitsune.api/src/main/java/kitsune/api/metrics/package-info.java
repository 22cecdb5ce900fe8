/**
 * What the server's bundles tell the metrics bundle: events as they happen and states when they change. The bundles
 * that know the events depend on this package only, never on a metrics library, and keep serving while no
 * {@link kitsune.api.metrics.ServerMetrics} service is registered.
 */
@Export
@Version("1.0.0")
package kitsune.api.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
