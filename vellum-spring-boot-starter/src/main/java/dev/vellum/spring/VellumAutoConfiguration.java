package dev.vellum.spring;

import dev.vellum.client.ClientStats;
import dev.vellum.client.VellumClient;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A {@link VellumClient} from {@code vellum.*} when {@code vellum.api-key} is set; it is closed
 * with the context (waiting {@code vellum.close-timeout} for pending events). With Actuator on the
 * class path a {@code vellum} health indicator, with Micrometer the client's counters as {@code
 * vellum.client.*} meters.
 */
@AutoConfiguration
@EnableConfigurationProperties(VellumProperties.class)
@ConditionalOnProperty(prefix = "vellum", name = "api-key")
public class VellumAutoConfiguration {

  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  VellumClientLifecycle vellumClientLifecycle(VellumProperties p) {
    VellumClient.Builder b =
        VellumClient.builder()
            .endpoint(p.getUrl())
            .apiKey(p.getApiKey())
            .maxBatchEvents(p.getMaxBatchEvents())
            .linger(p.getLinger())
            .bufferCapacity(p.getBufferCapacity())
            .maxBlock(p.getMaxBlock());
    if (p.getSource() != null) {
      b.source(p.getSource());
    }
    if (p.getSpool() != null) {
      b.spool(p.getSpool());
    }
    return new VellumClientLifecycle(b.build(), p.getCloseTimeout());
  }

  @Bean
  @ConditionalOnMissingBean
  VellumClient vellumClient(VellumClientLifecycle lifecycle) {
    return lifecycle.client();
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "vellumHealthIndicator")
    HealthIndicator vellumHealthIndicator(VellumClient client) {
      return () -> {
        ClientStats s = client.stats();
        // with a spool, an unreachable server costs no events: the application stays UP
        boolean degraded = s.consecutiveFailures() >= 3;
        Health.Builder h =
            degraded && client.spoolDirectory() == null ? Health.down() : Health.up();
        h.withDetail("pending", s.pending())
            .withDetail("sent", s.sent())
            .withDetail("failed", s.failed())
            .withDetail("consecutive_failures", s.consecutiveFailures())
            .withDetail("delivering", !degraded);
        if (s.lastFailure() != null) {
          h.withDetail("last_failure", s.lastFailure());
        }
        return h.build();
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "vellumClientMeters")
    MeterBinder vellumClientMeters(VellumClient client) {
      return registry -> {
        counter(registry, client, "sent", ClientStats::sent);
        counter(registry, client, "duplicates", ClientStats::duplicates);
        counter(registry, client, "retried", ClientStats::retried);
        counter(registry, client, "spooled", ClientStats::spooled);
        counter(registry, client, "failed", ClientStats::failed);
        Gauge.builder("vellum.client.pending", client, c -> c.stats().pending())
            .description("events recorded but not yet settled")
            .register(registry);
      };
    }

    private static void counter(
        io.micrometer.core.instrument.MeterRegistry registry,
        VellumClient client,
        String name,
        ToDoubleFunction<ClientStats> f) {
      FunctionCounter.builder("vellum.client." + name, client, c -> f.applyAsDouble(c.stats()))
          .description("events " + name + " by the Vellum client")
          .register(registry);
    }
  }
}
