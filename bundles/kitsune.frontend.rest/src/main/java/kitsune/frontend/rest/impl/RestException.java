package kitsune.frontend.rest.impl;

/** A request that ends with this HTTP status and a one-line message for the client (as JSON {"message": ...}). */
class RestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    RestException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static RestException badRequest(String message) {
        return new RestException(400, message);
    }

    static RestException notFound(String message) {
        return new RestException(404, message);
    }
}
