package dev.vellum.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Closed-loop benchmark clients: {@code concurrency} threads each take the next request number and
 * send that request, wait for the answer, and take the next, until {@code requests} numbers are
 * taken ({@code requests <= 0}: no limit), the deadline passes, or the client stops itself.
 */
final class ClosedLoop {
  /** One client thread's work for request number {@code n}; false stops this client. */
  interface Client {
    boolean send(long n);
  }

  private ClosedLoop() {}

  /**
   * Runs one client per thread, each made by {@code clients} (called with 0, 1, … on this thread,
   * so per-client state can be registered there), and returns when all have stopped.
   */
  static void run(
      String name,
      int concurrency,
      long requests,
      long deadlineNanos,
      IntFunction<Client> clients) {
    AtomicLong next = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      Client client = clients.apply(c);
      Thread t =
          new Thread(
              () -> {
                while (true) {
                  long n = next.getAndIncrement();
                  if ((requests > 0 && n >= requests)
                      || System.nanoTime() >= deadlineNanos
                      || !client.send(n)) {
                    return;
                  }
                }
              },
              name + "-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
