package kitsune.ha.impl;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.stream.Collectors;

/** Asserts that the threads this bundle and the embedded ZooKeeper start are gone after a test class. */
final class ThreadCheck {
    private static final List<String> PREFIXES = List.of("kitsune-", "NIOServerCxnFactory", "SyncThread",
            "ProcessThread", "Curator-", "RequestThrottler", "SessionTracker");

    private ThreadCheck() {
    }

    static void assertNoLeftoverThreads() throws InterruptedException {
        List<String> left = List.of();
        for (int i = 0; i < 100; i++) {
            left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> PREFIXES.stream().anyMatch(n::startsWith) || n.endsWith("-EventThread")
                            || n.endsWith("-SendThread(127.0.0.1)") || n.contains("-SendThread("))
                    .sorted().collect(Collectors.toList());
            if (left.isEmpty()) return;
            Thread.sleep(100);
        }
        fail("threads left running: " + left);
    }
}
