package kitsune.thrift;

import javax.security.sasl.SaslException;

/** Decides whether a SASL PLAIN login is accepted; the exception's message reaches the client. */
@FunctionalInterface
public interface PlainCredentials {
    /** kyuubi.authentication=NONE: every user name and password. */
    PlainCredentials ANY = (user, password) -> {
    };

    void check(String user, String password) throws SaslException;
}
