package kitsune.frontend.rest.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class OpenApiTest {
    @Test
    void theOpenApiDocumentNamesExactlyTheRoutesTheApiServes() throws Exception {
        JsonNode doc = RestApi.openApi();
        assertEquals("3.0.3", doc.get("openapi").asText());
        List<String> documented = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext();) {
                // parameter names may differ from the router's: compare the shape
                documented.add(methods.next().toUpperCase(Locale.ROOT) + " " + path.getKey().replaceAll("\\{[^}]+}", "{}"));
            }
        }
        List<String> served = new RestApi(null, null, null, null, null, null, null).router().routes().stream()
                .map(r -> r.replaceAll("\\{[^}]+}", "{}")).toList();
        assertEquals(served.stream().sorted().distinct().toList(), documented.stream().sorted().distinct().toList());
    }
}
