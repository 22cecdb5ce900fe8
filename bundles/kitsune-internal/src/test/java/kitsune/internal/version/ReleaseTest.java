package kitsune.internal.version;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

class ReleaseTest {

    @Test
    void theReleaseDropsTheBuildQualifier() {
        assertEquals("0.1.0", Release.of(Version.parseVersion("0.1.0.202611281200")));
        assertEquals("1.2.3", Release.of(Version.parseVersion("1.2.3")));
    }

    @Test
    void outsideAFrameworkTheReleaseIsUnknown() {
        assertEquals("0.0.0", Release.of(ReleaseTest.class));
    }
}
