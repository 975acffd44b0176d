package dev.vellum.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.client.Actor;
import dev.vellum.client.AuditEvent;
import dev.vellum.client.Outcome;
import dev.vellum.client.Receipt;
import dev.vellum.client.VellumClient;
import dev.vellum.testing.TestNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** A Spring Boot application records an event through the starter against a real node. */
class StarterTest {
  @TempDir Path tmp;

  @SpringBootApplication
  static class App {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void applicationRecordsAnEventThroughTheStarter_withHealthAndMetrics_andClosesTheClient()
      throws Exception {
    try (TestNode node = TestNode.start(tmp.resolve("node"))) {
      VellumClient client;
      try (ConfigurableApplicationContext ctx =
          new SpringApplicationBuilder(App.class)
              .web(WebApplicationType.NONE)
              .properties(
                  "vellum.url=" + node.url(""),
                  "vellum.api-key=" + TestNode.ADMIN_KEY,
                  "vellum.source=DEMO_APP",
                  "vellum.spool=" + tmp.resolve("spool"))
              .run()) {
        client = ctx.getBean(VellumClient.class);
        Receipt r =
            client
                .record(
                    AuditEvent.type("LOGIN_SUCCESSFUL")
                        .actor(Actor.user("spring-user"))
                        .outcome(Outcome.SUCCESS)
                        .metadata("login_method", "SSO"))
                .get();
        assertEquals(Receipt.Status.ACCEPTED, r.status());
        assertEquals(
            "spring-user",
            node.get("/v1/events/" + r.id(), TestNode.ADMIN_KEY).body().at("/actor/id").asText());

        HealthIndicator health = ctx.getBean("vellumHealthIndicator", HealthIndicator.class);
        assertEquals(Status.UP, health.health().getStatus());
        // Boot's actuator auto-configuration binds every MeterBinder; this test has only the
        // starter, so it binds the one the starter contributes
        MeterRegistry meters = ctx.getBean(MeterRegistry.class);
        ctx.getBean("vellumClientMeters", MeterBinder.class).bindTo(meters);
        assertEquals(1.0, meters.get("vellum.client.sent").functionCounter().count());
      }
      // the context closed the client: it takes no more events
      assertTrue(client.record(AuditEvent.type("LOGIN_SUCCESSFUL")).isCompletedExceptionally());
    }
  }
}
