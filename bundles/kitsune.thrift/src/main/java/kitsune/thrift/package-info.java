@Export
@Version("1.7.0")
package kitsune.thrift;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
