package kitsune.api.engine;

import java.nio.file.Path;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.EngineSpace;

/**
 * What a provider needs to start one engine.
 *
 * @param space         the engine space the engine must register in
 * @param refId         the id the engine puts into its node name (refId=...), by which the launcher finds it
 * @param sessionUser   the user whose session caused the launch
 * @param conf          the server configuration with the session's overrides on top
 * @param zkConnectString the ZooKeeper ensemble the engine registers in
 * @param workDir       the directory for this engine's files (log, warehouse, metastore), created by the caller;
 *                      the engine holds an exclusive lock on {@link #WORK_DIR_LOCK} in it while it runs
 */
public record EngineLaunchRequest(EngineSpace space, String refId, String sessionUser, KitsuneConf conf,
        String zkConnectString, Path workDir) {
    /**
     * File in the work directory that a running engine keeps locked (an OS file lock, released when its process ends):
     * it tells the server that an engine still runs there even when its node is not in ZooKeeper (yet), so that it
     * does not start a second one on the same metastore.
     */
    public static final String WORK_DIR_LOCK = "engine.lock";
}
