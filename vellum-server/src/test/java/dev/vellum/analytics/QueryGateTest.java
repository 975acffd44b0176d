package dev.vellum.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bounded executor: per-tenant and global limits refuse instead of queueing. */
class QueryGateTest {
  @Test
  void refusesASecondQueryOfATenantAtItsLimit_andAnyQueryWhenTheNodeIsFull() throws Exception {
    try (QueryGate gate = new QueryGate(1, 1)) {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<String> first =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return gate.run(
                      "a",
                      60_000,
                      () -> {
                        started.countDown();
                        release.await();
                        return "done";
                      });
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      started.await(10, TimeUnit.SECONDS);
      AnalyticsException sameTenant =
          assertThrows(AnalyticsException.class, () -> gate.run("a", 1_000, () -> "x"));
      assertEquals(AnalyticsException.Kind.TENANT_BUSY, sameTenant.kind());
      AnalyticsException full =
          assertThrows(AnalyticsException.class, () -> gate.run("b", 1_000, () -> "x"));
      assertEquals(AnalyticsException.Kind.BUSY, full.kind());
      release.countDown();
      assertEquals("done", first.get(10, TimeUnit.SECONDS));
      assertEquals("again", gate.run("a", 10_000, () -> "again"));
    }
  }
}
