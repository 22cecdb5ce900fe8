package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Against the real operating system's user database. */
class UnixGroupsTest {

    @Test
    void aUserInThePasswordFileHasAPrimaryGroup() throws Exception {
        String me = System.getProperty("user.name");
        Path passwd = Path.of("/etc/passwd");
        assumeTrue(Files.isReadable(passwd) && Files.readAllLines(passwd).stream().anyMatch(l -> l.startsWith(me + ":")),
                "the user running the tests is in /etc/passwd");
        Optional<String> group = UnixGroups.primaryGroup(me);
        assertTrue(group.isPresent() && !group.get().isBlank(), "id -gn " + me + " answered " + group);
        assertEquals(group, UnixGroups.primaryGroup(me), "the same answer, remembered");
    }

    @Test
    void anUnknownOrOddNameHasNoGroup() {
        assertTrue(UnixGroups.primaryGroup("no-such-user-kitsune-" + System.nanoTime() % 100000).isEmpty());
        assertTrue(UnixGroups.primaryGroup("-rf").isEmpty(), "never passed to id as an option");
        assertTrue(UnixGroups.primaryGroup("a b").isEmpty());
        assertTrue(UnixGroups.primaryGroup("").isEmpty());
    }

    @Test
    void aUserTheSystemDoesNotKnowIsItsOwnGroup() {
        assertEquals("nobody-knows-me", new ServerIdentity("kitsune", "staff").primaryGroupOf("nobody-knows-me"));
    }
}
