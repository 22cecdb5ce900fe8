@Export
@Version("2.0.0")
package kitsune.api.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
