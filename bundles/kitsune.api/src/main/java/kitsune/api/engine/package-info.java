@Export
@Version("2.5.0")
package kitsune.api.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
