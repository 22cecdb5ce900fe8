@Export
@Version("1.2.0")
package kitsune.api.session;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
