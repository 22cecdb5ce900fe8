package kitsune.api.session;

/**
 * The server's pool of threads that run client calls (the Thrift frontend's workers, bounded by
 * kyuubi.frontend.thrift.max.worker.threads), as Kyuubi's {@code GET /api/v1/sessions/execPool/statistic} and the
 * kyuubi.exec.pool.* metrics report it. Registered as a service by the frontend that owns the pool.
 */
public interface ExecPool {
    /** The pool's figures at one moment. */
    record Statistic(int poolSize, int activeCount, int workQueueSize) {
    }

    Statistic statistic();
}
