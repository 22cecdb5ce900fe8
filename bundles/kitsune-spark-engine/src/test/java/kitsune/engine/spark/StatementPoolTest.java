package kitsune.engine.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class StatementPoolTest {
    @Test
    void statementsOneAfterAnotherReuseOneThread() throws Exception {
        StatementPool pool = StatementPool.create(100, 100, Thread::new);
        try {
            for (int i = 0; i < 200; i++) pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
            // a thread is back waiting for work a moment after its caller saw the result: a few may start meanwhile
            // (more on a machine starved of CPU), never one per statement nor the bound
            assertTrue(pool.getLargestPoolSize() <= 10, pool.getLargestPoolSize()
                    + " threads; a fixed pool would have started 100");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void busyThreadsGrowThePoolToItsBoundThenTheQueueThenRefuse() throws Exception {
        StatementPool pool = StatementPool.create(3, 2, Thread::new);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(3);
        try {
            for (int i = 0; i < 3; i++) {
                pool.execute(() -> {
                    running.countDown();
                    await(release);
                });
            }
            assertTrue(running.await(10, TimeUnit.SECONDS), "three statements run at once");
            pool.execute(() -> { });
            pool.execute(() -> { });
            assertEquals(2, pool.waiting());
            assertEquals(3, pool.getPoolSize());
            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
            release.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(5, pool.getCompletedTaskCount());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
