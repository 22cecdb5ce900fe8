package kitsune.api.engine;

import org.osgi.annotation.versioning.ConsumerType;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.ServiceNode;

/**
 * Launches and owns engines of one type: their processes or cluster applications, their work directories and the
 * knowledge of whether one still lives. Registered as an OSGi service with the property {@link #ENGINE_TYPE};
 * providers may come and go while the server runs, and a session uses whichever provider is registered when it
 * opens. The session manager only routes: it asks the provider, never the file system or a cluster.
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

    /** Starts an engine that will register itself in the request's engine space. */
    EngineLaunch launch(EngineLaunchRequest request) throws EngineException;

    /**
     * Whether an engine of this space still runs although it is not registered (it lost its ZooKeeper session and is
     * about to register again): the caller then waits for it instead of launching a second engine on the same state.
     */
    boolean runsUnregistered(EngineSpace space, KitsuneConf conf);

    /**
     * What the provider knows of a registered engine that refused a connection: {@link Liveness#GONE} only when it is
     * certain the engine ended (its node is stale and may be removed), {@link Liveness#UNKNOWN} when it cannot tell.
     */
    Liveness liveness(EngineSpace space, ServiceNode node, KitsuneConf conf);

    /**
     * Ends a registered engine at once, wherever it runs (a local process, a cluster application), without waiting
     * for its sessions; used when draining through ZooKeeper is not enough.
     *
     * @throws EngineException naming what could not be ended and why
     */
    void terminate(ServiceNode node, KitsuneConf conf) throws EngineException;

    /** A registered engine's state as its provider sees it. */
    enum Liveness {
        ALIVE, GONE, UNKNOWN
    }
}
