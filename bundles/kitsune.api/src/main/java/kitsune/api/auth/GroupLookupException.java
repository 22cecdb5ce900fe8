package kitsune.api.auth;

/** A user's groups cannot be looked up now (the directory is unreachable, refused the search, or is not set up). */
public class GroupLookupException extends Exception {
    private static final long serialVersionUID = 1L;

    public GroupLookupException(String message) {
        super(message);
    }

    public GroupLookupException(String message, Throwable cause) {
        super(message, cause);
    }
}
