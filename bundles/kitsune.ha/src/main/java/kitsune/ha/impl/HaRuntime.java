package kitsune.ha.impl;

import org.apache.curator.framework.CuratorFramework;

/**
 * Bundle-private service from the HA component to the registration component: the running Curator client.
 * Its package is private, so no other bundle can use it and Curator never leaves this bundle.
 */
public interface HaRuntime {
    CuratorFramework curator();

    String connectString();

    HaSettings settings();
}
