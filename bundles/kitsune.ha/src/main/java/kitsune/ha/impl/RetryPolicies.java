package kitsune.ha.impl;

import org.apache.curator.RetryPolicy;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.retry.RetryUntilElapsed;

/** Kyuubi's kyuubi.ha.zookeeper.connection.retry.policy values mapped to Curator's policies as Kyuubi maps them. */
final class RetryPolicies {
    private RetryPolicies() {
    }

    static RetryPolicy create(String policy, int baseWaitMs, int maxWaitMs, int maxRetries) {
        return switch (policy) {
            case "ONE_TIME" -> new RetryOneTime(baseWaitMs);
            case "N_TIME" -> new RetryNTimes(maxRetries, baseWaitMs);
            case "BOUNDED_EXPONENTIAL_BACKOFF" -> new BoundedExponentialBackoffRetry(baseWaitMs, maxWaitMs, maxRetries);
            case "UNTIL_ELAPSED" -> new RetryUntilElapsed(maxWaitMs, baseWaitMs);
            default -> new ExponentialBackoffRetry(baseWaitMs, maxRetries);
        };
    }

    static RetryPolicy create(HaSettings s) {
        return create(s.retryPolicy(), s.baseRetryWaitMs(), s.maxRetryWaitMs(), s.maxRetries());
    }
}
