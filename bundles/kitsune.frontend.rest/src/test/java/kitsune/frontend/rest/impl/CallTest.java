package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

class CallTest {
    private static Call call(String body) {
        return new Call("alice", "127.0.0.1", "127.0.0.1:10099", List.of(), Map.of(),
                body.getBytes(StandardCharsets.UTF_8), JsonMapper.builder()
                        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build());
    }

    @Test
    void aStatementRequestIsReadAsKyuubisClientWritesIt() throws Exception {
        Dto.StatementRequest r = call("{\"statement\":\"SELECT 1\",\"runAsync\":true,\"queryTimeout\":5,"
                + "\"confOverlay\":{\"a\":\"b\"},\"unknown\":1}").body(Dto.StatementRequest.class);
        assertEquals(new Dto.StatementRequest("SELECT 1", true, 5L, Map.of("a", "b")), r);
        assertNull(call("  ").body(Dto.StatementRequest.class));
    }

    @Test
    void malformedJsonIsABadRequestNamingTheCauseAndWhere() {
        RestException e = assertThrows(RestException.class,
                () -> call("{\"statement\": SELECT 1}").body(Dto.StatementRequest.class));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("Malformed JSON body for StatementRequest (line 1, column"),
                e.getMessage());
        assertTrue(e.getMessage().contains("Unrecognized token 'SELECT'"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeOrTrailingGarbageIsABadRequestToo() {
        RestException type = assertThrows(RestException.class,
                () -> call("{\"statement\":\"x\",\"runAsync\":{\"a\":1}}").body(Dto.StatementRequest.class));
        assertEquals(400, type.status());
        RestException trailing = assertThrows(RestException.class,
                () -> call("{\"statement\":\"x\"} {}").body(Dto.StatementRequest.class));
        assertEquals(400, trailing.status());
    }
}
