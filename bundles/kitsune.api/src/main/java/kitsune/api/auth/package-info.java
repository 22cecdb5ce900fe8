/** Client authentication and identity: the services that check a user's password at login and know users' groups. */
@Export
@Version("1.1.0")
package kitsune.api.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
