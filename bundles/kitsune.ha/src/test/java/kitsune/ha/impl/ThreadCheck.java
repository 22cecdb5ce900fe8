package kitsune.ha.impl;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/** Asserts that the threads this bundle and the embedded ZooKeeper start are gone after a test class. */
final class ThreadCheck {
    private static final List<String> PREFIXES = List.of("kitsune-", "NIOServerCxnFactory", "SyncThread",
            "ProcessThread", "Curator-", "RequestThrottler", "SessionTracker");

    private ThreadCheck() {
    }

    static void assertNoLeftoverThreads() {
        Awaitility.await("no thread of this bundle or of ZooKeeper left running").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(ThreadCheck::leftover, List::isEmpty);
    }

    private static List<String> leftover() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> PREFIXES.stream().anyMatch(n::startsWith) || n.endsWith("-EventThread")
                        || n.contains("-SendThread("))
                .sorted().collect(Collectors.toList());
    }
}
