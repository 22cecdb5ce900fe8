package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClientAddressTest {
    @Test
    void theHeaderCountsOnlyWhenItHoldsAnAddressAndThenItsLastOne() {
        assertEquals("10.9.8.7", RestServlet.clientAddress("10.9.8.7", "127.0.0.1"));
        assertEquals("10.0.0.2", RestServlet.clientAddress("6.6.6.6, 10.0.0.2", "127.0.0.1"));
        assertEquals("2001:db8::1", RestServlet.clientAddress("2001:db8::1", "127.0.0.1"));
        assertEquals("127.0.0.1", RestServlet.clientAddress(null, "127.0.0.1"));
        assertEquals("127.0.0.1", RestServlet.clientAddress("evil.example", "127.0.0.1"));
        assertEquals("127.0.0.1", RestServlet.clientAddress("10.0.0.1 OR 1=1", "127.0.0.1"));
        assertEquals("127.0.0.1", RestServlet.clientAddress("abcdef", "127.0.0.1"));
    }
}
