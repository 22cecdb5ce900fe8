@Export
@Version("1.8.0")
package kitsune.api.registry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
