package kitsune.console.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CsrfCheckTest {
    @Test
    void readsAreNeverRefused() {
        assertNull(CsrfCheck.refusal("GET", "http", "10.0.0.1:10099", "http://evil.example", null, null));
        assertNull(CsrfCheck.refusal("HEAD", "http", "10.0.0.1:10099", null, null, null));
    }

    @Test
    void aPostFromTheConsolesOwnPageIsTaken() {
        assertNull(CsrfCheck.refusal("POST", "http", "10.0.0.1:10099", "http://10.0.0.1:10099", null, null));
        assertNull(CsrfCheck.refusal("POST", "https", "Console.Example:443", "https://console.example", null, null));
        assertNull(CsrfCheck.refusal("POST", "http", "10.0.0.1:10099", null,
                "http://10.0.0.1:10099/system/console/bundles", null));
    }

    @Test
    void aPostFromAnotherOriginIsRefused() {
        assertNotNull(CsrfCheck.refusal("POST", "http", "10.0.0.1:10099", "http://evil.example", null, null));
        assertNotNull(CsrfCheck.refusal("POST", "http", "10.0.0.1:10099", "http://10.0.0.1:10098", null, null));
        assertNotNull(CsrfCheck.refusal("POST", "https", "10.0.0.1:10099", "http://10.0.0.1:10099", null, null),
                "another scheme is another origin");
        assertNotNull(CsrfCheck.refusal("DELETE", "http", "10.0.0.1:10099", "null", null, null));
        assertNotNull(CsrfCheck.refusal("PUT", "http", "10.0.0.1:10099", null, "http://evil.example/x", null));
        // Origin wins over a matching Referer
        assertNotNull(CsrfCheck.refusal("POST", "http", "h:1", "http://evil.example", "http://h:1/x", null));
    }

    @Test
    void aPostWithoutOriginRefererOrTheHeaderIsRefusedNamingTheHeader() {
        String why = CsrfCheck.refusal("POST", "http", "10.0.0.1:10099", null, null, null);
        assertTrue(why.contains("X-XSRF-HEADER"), why);
        assertNotNull(CsrfCheck.refusal("POST", "http", null, "http://10.0.0.1:10099", null, null));
    }

    @Test
    void theXsrfHeaderLetsScriptsIn() {
        assertNull(CsrfCheck.refusal("POST", "http", "10.0.0.1:10099", null, null, "true"));
        assertNull(CsrfCheck.refusal("POST", "http", "10.0.0.1:10099", "http://evil.example", null, ""));
    }

    @Test
    void onlyPathsThatAreReallyBelowTheRestApiAreLeftToItsOwnGuard() {
        assertTrue(CsrfCheck.isRestApi("/api/v1"));
        assertTrue(CsrfCheck.isRestApi("/api/v1/sessions"));
        assertTrue(CsrfCheck.isRestApi("/api/v1/operations/x/rowset"));
        assertFalse(CsrfCheck.isRestApi("/system/console/bundles"));
        assertFalse(CsrfCheck.isRestApi("/api/v10/sessions"));
        assertFalse(CsrfCheck.isRestApi("/api/v1/../system/console/bundles"));
        assertFalse(CsrfCheck.isRestApi("/api/v1/%2e%2e/system/console/bundles"));
        assertFalse(CsrfCheck.isRestApi("/api/v1%2f..%2fsystem/console"));
        assertFalse(CsrfCheck.isRestApi("/api/v1;x/../../system/console"));
        assertFalse(CsrfCheck.isRestApi(null));
    }
}
