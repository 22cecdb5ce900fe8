package kitsune.api.engine;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.EngineSpace;

/**
 * What a provider needs to start one engine. Where the engine keeps its files (and whether it has a local directory
 * at all) is the provider's business.
 *
 * @param space           the engine space the engine must register in
 * @param refId           the id the engine puts into its node name (refId=...), by which the launcher finds it
 * @param sessionUser     the user whose session caused the launch
 * @param conf            the server configuration with the user's defaults and the session's overrides on top
 * @param zkConnectString the ZooKeeper ensemble the engine registers in
 */
public record EngineLaunchRequest(EngineSpace space, String refId, String sessionUser, KitsuneConf conf,
        String zkConnectString) {
}
