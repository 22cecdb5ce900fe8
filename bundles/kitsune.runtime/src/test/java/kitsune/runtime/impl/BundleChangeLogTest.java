package kitsune.runtime.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleEvent;
import org.osgi.service.log.LogLevel;

class BundleChangeLogTest {
    private static final String LOCATION = "file:/opt/kitsune/lib/bundles/kitsune.engine.spark.jar";

    @Test
    void anUpdateNamesTheBundleItsNewVersionAndWhereItCameFrom() {
        assertEquals("Bundle kitsune.engine.spark 0.1.1 updated (id 58, location " + LOCATION + ")",
                BundleChangeLog.describe(BundleEvent.UPDATED, true, "kitsune.engine.spark", "0.1.1", 58, LOCATION));
    }

    @Test
    void installsAndUninstallsAreAlwaysLogged() {
        assertTrue(BundleChangeLog.describe(BundleEvent.INSTALLED, false, "b", "1", 1, LOCATION).contains("installed"));
        assertTrue(BundleChangeLog.describe(BundleEvent.UNINSTALLED, true, "b", "1", 1, LOCATION).contains("uninstalled"));
    }

    @Test
    void startAndStopAreLoggedOnlyWhileTheServerRuns() {
        assertNull(BundleChangeLog.describe(BundleEvent.STARTED, false, "b", "1", 1, LOCATION));
        assertNull(BundleChangeLog.describe(BundleEvent.STOPPED, false, "b", "1", 1, LOCATION));
        assertTrue(BundleChangeLog.describe(BundleEvent.STOPPED, true, "b", "1", 1, LOCATION).contains("stopped"));
        assertNull(BundleChangeLog.describe(BundleEvent.RESOLVED, true, "b", "1", 1, LOCATION));
    }

    @Test
    void onlyWarningsAndErrorsOfTheLogServiceReachTheLog() {
        assertTrue(OsgiLogBridge.forwarded(LogLevel.ERROR));
        assertTrue(OsgiLogBridge.forwarded(LogLevel.WARN));
        assertFalse(OsgiLogBridge.forwarded(LogLevel.INFO));
        assertFalse(OsgiLogBridge.forwarded(LogLevel.DEBUG));
        assertEquals("osgi", OsgiLogBridge.loggerName(null));
    }
}
