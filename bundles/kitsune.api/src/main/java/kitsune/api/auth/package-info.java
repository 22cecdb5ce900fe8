/** Client authentication: the services that check a user's password at login. */
@Export
@Version("1.0.0")
package kitsune.api.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
