package kitsune.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import kitsune.testkit.KitsuneServer;

/**
 * The start level File Install gives the hot-swappable bundles must fit between the levels the resolver computed for
 * the runtime's bundles (they move when the bundle set changes): see the comment in kitsune.bndrun.
 */
class RuntimeStartLevelsTest {

    @Test
    void hotSwappableBundlesStartAfterLoggingAndBeforeTheFrontend() throws Exception {
        String bndrun = Files.readString(KitsuneServer.HOME.resolve("runtime/kitsune.bndrun"));
        Matcher m = Pattern.compile("felix\\.fileinstall\\.start\\.level=(\\d+)").matcher(bndrun);
        assertTrue(m.find(), "felix.fileinstall.start.level is set");
        int deployed = Integer.parseInt(m.group(1));
        int logging = level(bndrun, "slf4j.simple");
        int config = level(bndrun, "kitsune.config");
        int fileInstall = level(bndrun, "org.apache.felix.fileinstall");
        int frontend = level(bndrun, "kitsune.frontend.thrift");
        assertTrue(deployed > logging && deployed > config,
                "level " + deployed + " must be above slf4j.simple (" + logging + ") and kitsune.config (" + config + ")");
        assertTrue(deployed <= fileInstall, "level " + deployed + " must not be above File Install's " + fileInstall);
        assertTrue(deployed < frontend, "level " + deployed + " must be below the frontend's " + frontend);
    }

    private static int level(String bndrun, String bsn) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(bsn) + ";version='[^']*';startlevel=(\\d+)").matcher(bndrun);
        if (!m.find()) throw new AssertionError(bsn + " is not in -runbundles");
        return Integer.parseInt(m.group(1));
    }
}
