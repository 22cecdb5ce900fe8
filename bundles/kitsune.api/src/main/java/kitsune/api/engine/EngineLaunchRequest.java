package kitsune.api.engine;

import kitsune.api.conf.KitsuneConf;
import kitsune.api.registry.EngineSpace;
import kitsune.api.registry.EngineZkIdentity;

/**
 * What a provider needs to start one engine. Where the engine keeps its files (and whether it has a local directory
 * at all) is the provider's business.
 *
 * @param space           the engine space the engine must register in
 * @param refId           the id the engine puts into its node name (refId=...), by which the launcher finds it
 * @param sessionUser     the user whose session caused the launch
 * @param conf            the server configuration with the user's defaults and the session's overrides on top
 * @param zkConnectString the ZooKeeper ensemble the engine registers in
 * @param zkIdentity      the engine's own ZooKeeper identity and node ACL ({@link
 *                        kitsune.api.registry.Discovery#prepareEngineSpace}); never the servers'
 */
public record EngineLaunchRequest(EngineSpace space, String refId, String sessionUser, KitsuneConf conf,
        String zkConnectString, EngineZkIdentity zkIdentity) {
    public EngineLaunchRequest {
        if (zkIdentity == null) zkIdentity = EngineZkIdentity.NONE;
    }

    /** A request without a ZooKeeper identity: the engine's nodes are open. */
    public EngineLaunchRequest(EngineSpace space, String refId, String sessionUser, KitsuneConf conf,
            String zkConnectString) {
        this(space, refId, sessionUser, conf, zkConnectString, EngineZkIdentity.NONE);
    }
}
