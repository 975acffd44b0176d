package dev.vellum.spring;

import dev.vellum.client.VellumClient;
import java.time.Duration;
import org.springframework.beans.factory.DisposableBean;

/** Closes the client with the context, with the configured timeout rather than the default. */
final class VellumClientLifecycle implements DisposableBean {
  private final VellumClient client;
  private final Duration closeTimeout;

  VellumClientLifecycle(VellumClient client, Duration closeTimeout) {
    this.client = client;
    this.closeTimeout = closeTimeout;
  }

  VellumClient client() {
    return client;
  }

  @Override
  public void destroy() {
    client.close(closeTimeout);
  }
}
