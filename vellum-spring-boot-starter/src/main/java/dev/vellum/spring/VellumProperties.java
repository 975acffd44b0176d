package dev.vellum.spring;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code vellum.*}: where the server is, the key, and the client's tuning. */
@ConfigurationProperties("vellum")
class VellumProperties {
  /** Base URL of the Vellum server. */
  private String url = "http://localhost:8080";

  /** API key with the events:write scope. */
  private String apiKey;

  /** Source of events that name none. */
  private String source;

  /** Spool directory; with it events survive outages and crashes. */
  private Path spool;

  private int maxBatchEvents = 500;
  private Duration linger = Duration.ofMillis(20);
  private int bufferCapacity = 10_000;
  private Duration maxBlock = Duration.ofMillis(100);

  /** How long closing the context waits for undelivered events. */
  private Duration closeTimeout = Duration.ofSeconds(10);

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getApiKey() {
    return apiKey;
  }

  public void setApiKey(String apiKey) {
    this.apiKey = apiKey;
  }

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public Path getSpool() {
    return spool;
  }

  public void setSpool(Path spool) {
    this.spool = spool;
  }

  public int getMaxBatchEvents() {
    return maxBatchEvents;
  }

  public void setMaxBatchEvents(int n) {
    this.maxBatchEvents = n;
  }

  public Duration getLinger() {
    return linger;
  }

  public void setLinger(Duration linger) {
    this.linger = linger;
  }

  public int getBufferCapacity() {
    return bufferCapacity;
  }

  public void setBufferCapacity(int n) {
    this.bufferCapacity = n;
  }

  public Duration getMaxBlock() {
    return maxBlock;
  }

  public void setMaxBlock(Duration d) {
    this.maxBlock = d;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration d) {
    this.closeTimeout = d;
  }
}
