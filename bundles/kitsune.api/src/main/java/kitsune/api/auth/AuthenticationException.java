package kitsune.api.auth;

/** A login refused: wrong credentials, or the authentication service could not be asked (then say which). */
public class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
