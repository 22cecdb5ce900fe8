package kitsune.api.batch;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

import kitsune.api.engine.EngineException;

/**
 * Submits and follows batch applications: offered by the engine provider, which owns the processes and cluster
 * applications it starts. Registered with the property {@link #BATCH_TYPE}.
 */
@ConsumerType
public interface BatchLauncher {
    /** Service property naming the batch type served, e.g. SPARK. */
    String BATCH_TYPE = "kitsune.batch.type";

    /** Submits the application; returns once its process is started (not once it runs). */
    BatchApplication submit(BatchSubmission submission) throws EngineException;

    /**
     * Finds again the application of a batch whose server is gone (or restarted), to follow it to its end; empty when
     * nothing of it can be found any more (its process ended with no trace).
     */
    Optional<BatchApplication> recover(Batch batch, kitsune.api.conf.KitsuneConf conf);
}
