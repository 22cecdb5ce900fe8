package kitsune.runtime.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kitsune.api.registry.ServerLifecycle;

class RuntimeStartedConditionTest {

    @Test
    void aBundleAboveTheFrameworksLevelIsNotStartedYet() {
        assertFalse(RuntimeStartedCondition.reached(44, 54));
        assertTrue(RuntimeStartedCondition.reached(55, 54));
        assertTrue(RuntimeStartedCondition.reached(55, 55));
    }

    @Test
    void theConditionMatchesTheFilterSessionsWaitFor() {
        assertEquals("(osgi.condition.id=" + RuntimeStartedCondition.CONDITION_ID + ")", ServerLifecycle.RUNTIME_STARTED);
    }
}
