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
 * @param workDir       the directory for this engine's files (log, warehouse, metastore), created by the caller
 */
public record EngineLaunchRequest(EngineSpace space, String refId, String sessionUser, KitsuneConf conf,
        String zkConnectString, Path workDir) {
}
