/**
 * Batches: Spark applications submitted through the REST API ({@code /api/v1/batches}), their metadata in a shared
 * store ({@link kitsune.api.batch.BatchStore}) and their submission by the engine provider
 * ({@link kitsune.api.batch.BatchLauncher}).
 */
@Export
@Version("1.0.0")
package kitsune.api.batch;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
