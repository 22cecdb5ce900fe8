package kitsune.session.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DrainAdmissionTest {
    @Test
    void anOpenSessionIsCountedWhileItIsAnsweredAndNoLongerAfter() {
        DrainAdmission drain = new DrainAdmission();
        int during = drain.admit(drain::opening, refused -> -1);
        assertEquals(1, during);
        assertEquals(0, drain.opening());
    }

    @Test
    void anOpenSessionThatFailsIsNoLongerCounted() {
        DrainAdmission drain = new DrainAdmission();
        try {
            drain.admit(() -> {
                throw new IllegalStateException("boom");
            }, refused -> null);
        } catch (IllegalStateException expected) {
            // the count is what matters
        }
        assertEquals(0, drain.opening());
    }

    @Test
    void aDrainingServerRefusesWithTheDrainsMessageOrTheDefaultOne() {
        DrainAdmission drain = new DrainAdmission();
        assertFalse(drain.refusing());
        assertEquals("opened", drain.admit(() -> "opened", refused -> refused));
        assertEquals(DrainAdmission.DRAINING, drain.refuse("  "));
        assertTrue(drain.refusing());
        assertEquals(DrainAdmission.DRAINING, drain.admit(() -> "opened", refused -> refused));
        drain.refuse("maintenance until 22:00");
        assertEquals("maintenance until 22:00", drain.admit(() -> "opened", refused -> refused));
    }
}
