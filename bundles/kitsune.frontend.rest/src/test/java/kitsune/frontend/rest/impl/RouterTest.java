package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router router = new Router()
            .add("GET", "/sessions", c -> "list")
            .add("GET", "/sessions/count", c -> "count")
            .add("GET", "/sessions/{session}", c -> "get")
            .add("DELETE", "/sessions/{session}", c -> "close")
            .add("POST", "/sessions/{session}/operations/statement", c -> "statement");

    @Test
    void literalSegmentsWinOverParametersAndParametersAreHandedOver() throws Exception {
        assertEquals("count", router.match("GET", "/sessions/count").handler().handle(null));
        Router.Match m = router.match("GET", "/sessions/abc");
        assertEquals("get", m.handler().handle(null));
        assertEquals(List.of("abc"), m.params());
        assertEquals(List.of("s1"), router.match("POST", "/sessions/s1/operations/statement").params());
        assertEquals("list", router.match("get", "/sessions/").handler().handle(null));
    }

    @Test
    void anUnknownPathIsNotFoundAndAKnownPathWithAnotherMethodIsNotAllowedNamingTheAllowedOnes() {
        RestException missing = assertThrows(RestException.class, () -> router.match("GET", "/nothing/here"));
        assertEquals(404, missing.status());
        Router.MethodNotAllowed wrong = assertThrows(Router.MethodNotAllowed.class,
                () -> router.match("PUT", "/sessions/abc"));
        assertEquals(405, wrong.status());
        assertEquals("DELETE, GET", wrong.allow());
    }

    @Test
    void controlCharactersInAPathNeverReachTheMessageVerbatim() {
        RestException e = assertThrows(RestException.class, () -> router.match("GET", "/x\n\rINJECTED"));
        assertTrue(e.getMessage().contains("\\n\\rINJECTED"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
