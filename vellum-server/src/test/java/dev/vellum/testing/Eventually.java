package dev.vellum.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls for something the server does in the background, with a deadline instead of a sleep. */
public final class Eventually {
  private Eventually() {}

  /** The first non-null answer of {@code probe} within 30 s; fails naming {@code what}. */
  public static <T> T eventually(String what, Supplier<T> probe) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      T v = probe.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Returns once {@code condition} holds, within 30 s; fails naming {@code what}. */
  public static void until(String what, BooleanSupplier condition) {
    eventually(what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }
}
