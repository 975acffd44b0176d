package dev.vellum.feed;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The consumer runners of this node: for the admin listing and for readiness. */
public final class Consumers implements AutoCloseable {
  private final List<ConsumerRunner> runners = new CopyOnWriteArrayList<>();

  public void add(ConsumerRunner runner) {
    runners.add(runner);
  }

  public List<ConsumerStatus> statuses() {
    return runners.stream().map(ConsumerRunner::status).toList();
  }

  /** Why the node is not ready because of its consumers, if it is not. */
  public Optional<String> notReadyReason() {
    for (ConsumerRunner r : runners) {
      if (r.state() == ConsumerRunner.State.STOPPED) {
        return Optional.of("feed consumer " + r.name() + " stopped: " + r.status().lastError());
      }
    }
    return Optional.empty();
  }

  /** Stops every runner, each saving the position it reached. */
  @Override
  public void close() {
    for (ConsumerRunner r : runners) {
      r.close();
    }
    runners.clear();
  }
}
