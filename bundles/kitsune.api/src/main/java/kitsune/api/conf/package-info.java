@Export
@Version("1.6.0")
package kitsune.api.conf;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
