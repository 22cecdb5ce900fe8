package kitsune.api.engine;

/** Who shares one engine, as in Kyuubi's kyuubi.engine.share.level. */
public enum ShareLevel {
    /** One engine per client connection (session); it stops when that session closes. */
    CONNECTION,
    /** One engine per user and subdomain. */
    USER,
    /** One engine per primary group and subdomain. */
    GROUP,
    /** One engine for the whole server (its OS user) and subdomain. */
    SERVER
}
