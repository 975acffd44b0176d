package dev.vellum.analytics;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where queries run: a fixed pool of {@code global} threads with no queue, so a query either starts
 * now or is refused (BUSY, 503), and at most {@code perTenant} queries of one tenant at once
 * (TENANT_BUSY, 429), so one tenant cannot take every slot. The map of running counts holds only
 * tenants with a query running.
 */
final class QueryGate implements AutoCloseable {
  private final ThreadPoolExecutor pool;
  private final int perTenant;
  private final Semaphore slots;
  private final ConcurrentHashMap<String, Integer> running = new ConcurrentHashMap<>();

  QueryGate(int global, int perTenant) {
    this.perTenant = perTenant;
    this.slots = new Semaphore(global);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            global,
            global,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "vellum-analytics-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs {@code task} for {@code tenant} and waits at most {@code wait} for its answer. */
  <T> T run(String tenant, long waitMillis, Callable<T> task) throws Exception {
    running.compute(
        tenant,
        (t, n) -> {
          if (n != null && n >= perTenant) {
            throw new AnalyticsException(
                AnalyticsException.Kind.TENANT_BUSY,
                "this tenant already runs "
                    + perTenant
                    + " analytics queries; retry when one ends");
          }
          return n == null ? 1 : n + 1;
        });
    try {
      if (!slots.tryAcquire()) {
        throw new AnalyticsException(
            AnalyticsException.Kind.BUSY,
            "all " + pool.getMaximumPoolSize() + " analytics slots of this node are busy");
      }
      Future<T> f;
      try {
        f =
            pool.submit(
                () -> {
                  try {
                    return task.call();
                  } finally {
                    slots.release();
                  }
                });
      } catch (RuntimeException e) {
        slots.release();
        throw e;
      }
      try {
        return f.get(waitMillis, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception ex ? ex : e;
      } catch (TimeoutException e) {
        f.cancel(true);
        throw new AnalyticsException(AnalyticsException.Kind.TIMED_OUT, "the query timed out");
      }
    } finally {
      running.compute(tenant, (t, n) -> n == null || n <= 1 ? null : n - 1);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
