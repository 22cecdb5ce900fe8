package kitsune.api.engine;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One engine launch as its provider follows it, from the start until the engine registers in ZooKeeper: a child
 * process on this host, or an application submitted to a cluster (whose driver may run anywhere).
 */
@ProviderType
public interface EngineLaunch {
    /** A short description for logs and error messages: pid, application id, master, home. */
    String describe();

    /**
     * Empty while the launch may still succeed; once it has failed for certain (the process ended, the cluster
     * rejected or finished the application), the reason for the client, as is: exit code or cluster state, and the
     * diagnostics (log tail, the cluster's own message).
     */
    Optional<String> failure();

    /** What is known of the launch now (log tail, cluster diagnostics), for a message when it takes too long. */
    String diagnostics();

    /** Gives the launch up: ends the process and any application it submitted, so that nothing is left running. */
    void cancel();
}
