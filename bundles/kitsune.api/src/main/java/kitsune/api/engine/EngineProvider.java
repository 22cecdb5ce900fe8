package kitsune.api.engine;

import org.osgi.annotation.versioning.ConsumerType;

import kitsune.api.conf.KitsuneConf;

/**
 * Launches engines of one type. Registered as an OSGi service with the property {@link #ENGINE_TYPE}; providers
 * may come and go while the server runs, and a session uses whichever provider is registered when it opens.
 */
@ConsumerType
public interface EngineProvider {
    /** Service property naming the engine type served, e.g. SPARK_SQL. */
    String ENGINE_TYPE = "kitsune.engine.type";

    /** The engine type this provider serves, e.g. SPARK_SQL. */
    String engineType();

    /**
     * The version slot of the engine space for this configuration: it names what the engine is made of
     * (engine protocol and engine home), so that engines of different homes never share an engine space.
     *
     * @throws EngineException when the configuration asks for something not allowed, e.g. an unlisted home
     */
    String engineSpaceVersion(KitsuneConf conf) throws EngineException;

    /** Starts an engine process that will register itself in the request's engine space. */
    EngineProcess launch(EngineLaunchRequest request) throws EngineException;
}
