package kitsune.internal.version;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;

/**
 * The Kitsune release a bundle belongs to, as servers publish it in ZooKeeper and tell clients: {@code major.minor.micro}
 * of the bundle's version, without the build's timestamp qualifier (every bundle of a build has the same).
 */
public final class Release {
    private Release() {
    }

    /** {@code 0.1.0} of {@code 0.1.0.202611281200}. */
    public static String of(Version v) {
        return v.getMajor() + "." + v.getMinor() + "." + v.getMicro();
    }

    /** The release of the bundle that loaded this class; {@code 0.0.0} outside a framework (unit tests). */
    public static String of(Class<?> type) {
        Bundle b = FrameworkUtil.getBundle(type);
        return b == null ? "0.0.0" : of(b.getVersion());
    }
}
