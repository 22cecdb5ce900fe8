package kitsune.frontend.rest.impl;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import kitsune.internal.text.LogText;

/**
 * One authenticated request as a handler sees it: the caller, the {name} segments of its path, its query parameters
 * and its body (already read, bounded).
 *
 * @param user     the authenticated user (null for an open route)
 * @param address  the client's address
 * @param instance host:port this server's REST API answered on (Kyuubi's kyuubiInstance)
 * @param forwarded whether another server of the namespace forwarded it (signed): it is never forwarded again
 * @param upload   the uploaded files of a multipart POST /batches (its part resourceFile and the extra files'
 *                 parts; body is then the part batchRequest), else null
 */
record Call(String user, String address, String instance, List<String> params, Map<String, String[]> query,
        byte[] body, ObjectMapper mapper, boolean forwarded, Uploads.Uploaded upload) {

    Call(String user, String address, String instance, List<String> params, Map<String, String[]> query,
            byte[] body, ObjectMapper mapper, boolean forwarded) {
        this(user, address, instance, params, query, body, mapper, forwarded, null);
    }

    /** A request a client sent itself. */
    Call(String user, String address, String instance, List<String> params, Map<String, String[]> query,
            byte[] body, ObjectMapper mapper) {
        this(user, address, instance, params, query, body, mapper, false);
    }

    String param(int i) {
        return params.get(i);
    }

    /** A query parameter's first value, or null. */
    String query(String name) {
        String[] v = query.get(name);
        return v == null || v.length == 0 ? null : v[0];
    }

    boolean hasBody() {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') return true;
        }
        return false;
    }

    /**
     * The body as that request type; an empty body is null. Malformed JSON or a property of the wrong type is a
     * 400 naming the cause (Jackson's message, without the stack of the parser).
     */
    <T> T body(Class<T> type) throws RestException {
        if (!hasBody()) return null;
        try {
            return mapper.readValue(body, type);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            String cause = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
            cause = cause.lines().findFirst().orElse(cause);
            throw RestException.badRequest("Malformed JSON body for " + type.getSimpleName() + where + ": "
                    + LogText.of(cause));
        } catch (java.io.IOException e) {
            throw RestException.badRequest("Unreadable JSON body: " + LogText.of(e.getMessage()));
        }
    }
}
