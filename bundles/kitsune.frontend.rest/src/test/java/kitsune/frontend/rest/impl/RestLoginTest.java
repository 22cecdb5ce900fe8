package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import kitsune.internal.start.StartGate;

class RestLoginTest {
    private static String basic(String userPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void noneAcceptsAnyPasswordButNeedsAUserName() throws Exception {
        RestLogin login = new RestLogin(List.of("NONE"), StartGate.opened());
        assertEquals("bob", login.check(basic("bob:anything")));
        assertEquals("bob", login.check(basic("bob")));
        assertThrows(RestLogin.Refused.class, () -> login.check(null));
        assertThrows(RestLogin.Refused.class, () -> login.check(basic(":pw")));
        assertThrows(RestLogin.Refused.class, () -> login.check("Bearer abc"));
        assertThrows(RestLogin.Refused.class, () -> login.check("Basic %%%"));
    }

    @Test
    void aCheckedTypeWithoutItsAuthenticatorRefusesEveryLoginAndLogsWhy() {
        // the password check itself runs against a real LDAP server in the e2e RestApiTest
        RestLogin login = new RestLogin(List.of("NOSASL", "LDAP"), StartGate.opened());
        assertEquals("LDAP", login.type());
        RestLogin.Refused none = assertThrows(RestLogin.Refused.class, () -> login.check(basic("alice:wonderland")));
        assertEquals("Authentication failed for user alice", none.getMessage());
        assertTrue(none.detail().contains("no authenticator for kyuubi.authentication=LDAP"), none.detail());
        assertFalse(none.getMessage().contains("wonderland"));
    }

    @Test
    void aUserNameWithAControlCharacterIsRefused() {
        RestLogin login = new RestLogin(List.of("NONE"), StartGate.opened());
        assertThrows(RestLogin.Refused.class, () -> login.check(basic("eve\nINFO forged line:pw")));
    }
}
