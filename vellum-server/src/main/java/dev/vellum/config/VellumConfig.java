package dev.vellum.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every setting of a Vellum node, validated once at start-up and immutable afterwards. Built by
 * {@link ConfigLoader} from defaults, an optional YAML file and {@code VELLUM_*} environment
 * variables, in that order of precedence (later wins), then command-line flags.
 */
public record VellumConfig(
    String host,
    int port,
    Path dataDir,
    String logName,
    Ingest ingest,
    RateLimit rateLimit,
    Duration checkpointInterval,
    @Nullable String bootstrapKey,
    Http http,
    Storage storage,
    LogKey logKey,
    Archive archive,
    Notify notifications,
    Alarms alarms) {

  /**
   * Where the log's signing key comes from: a file every node reads ({@code log.signing_key_file}),
   * the key itself ({@code VELLUM_LOG_SIGNING_KEY}, for secrets injected into the environment), or
   * neither: {@code log-signing.key} in the data dir, created on first start.
   */
  public record LogKey(@Nullable Path file, @Nullable String key) {
    public static LogKey inDataDir() {
      return new LogKey(null, null);
    }

    @Override
    public String toString() {
      // never the key
      return "LogKey[file=" + file + ", key=" + (key == null ? "unset" : "set") + "]";
    }
  }

  /**
   * The archive (docs/archive.md): whether the archiver runs, how long it buffers (bytes of event
   * bodies, time since the oldest buffered event), where sealed files go ({@code directory} under
   * the data dir, or {@code s3}), how long events stay in the hot store ({@code hotRetention}, per
   * tenant overridden by {@code hotRetentionByTenant}), archived files in the archive ({@code
   * retention}, per tenant {@code tenantRetention}, checked every {@code retentionInterval}), and
   * the bounds of restores ({@code restore}).
   */
  public record Archive(
      boolean enabled,
      long bufferBytes,
      Duration interval,
      String store,
      @Nullable Path directory,
      S3 s3,
      Duration hotRetention,
      Map<String, Duration> hotRetentionByTenant,
      Duration retention,
      Map<String, Duration> tenantRetention,
      Duration retentionInterval,
      Restore restore) {
    public static final Duration DEFAULT_HOT_RETENTION = Duration.ofDays(30);

    /** Archive retention's default: seven years (SOX), counted in days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7 * 365 + 2);

    public Archive {
      hotRetentionByTenant = Map.copyOf(hotRetentionByTenant);
      tenantRetention = Map.copyOf(tenantRetention);
    }

    public boolean isS3() {
      return "s3".equals(store);
    }

    /** How long {@code tenant}'s events stay in the hot store after they were received. */
    public Duration hotRetentionOf(String tenant) {
      return hotRetentionByTenant.getOrDefault(tenant, hotRetention);
    }

    public static Archive defaults() {
      return new Archive(
          true,
          64L << 20,
          Duration.ofSeconds(300),
          "directory",
          null,
          new S3(null, "", null, "us-east-1", false, null, null),
          DEFAULT_HOT_RETENTION,
          Map.of(),
          DEFAULT_RETENTION,
          Map.of(),
          Duration.ofHours(1),
          Restore.defaults());
    }

    public Archive withHotRetention(Duration all, Map<String, Duration> byTenant) {
      Copy c = new Copy(this);
      c.hotRetention = all;
      c.hotRetentionByTenant = byTenant;
      return c.build();
    }

    public Archive withBuffer(long bytes, Duration newInterval) {
      Copy c = new Copy(this);
      c.bufferBytes = bytes;
      c.interval = newInterval;
      return c.build();
    }

    public Archive withS3(S3 newS3) {
      Copy c = new Copy(this);
      c.store = "s3";
      c.s3 = newS3;
      return c.build();
    }

    /**
     * Retention {@code keep} by default, {@code perTenant} overrides, a run every {@code every}.
     */
    public Archive withRetention(Duration keep, Map<String, Duration> perTenant, Duration every) {
      Copy c = new Copy(this);
      c.retention = keep;
      c.tenantRetention = perTenant;
      c.retentionInterval = every;
      return c.build();
    }

    public Archive withRestore(Restore newRestore) {
      Copy c = new Copy(this);
      c.restore = newRestore;
      return c.build();
    }

    /** The components of an {@code Archive}, to change a few and build a new one. */
    private static final class Copy {
      private final boolean enabled;
      private long bufferBytes;
      private Duration interval;
      private String store;
      private final @Nullable Path directory;
      private S3 s3;
      private Duration hotRetention;
      private Map<String, Duration> hotRetentionByTenant;
      private Duration retention;
      private Map<String, Duration> tenantRetention;
      private Duration retentionInterval;
      private Restore restore;

      Copy(Archive a) {
        enabled = a.enabled;
        bufferBytes = a.bufferBytes;
        interval = a.interval;
        store = a.store;
        directory = a.directory;
        s3 = a.s3;
        hotRetention = a.hotRetention;
        hotRetentionByTenant = a.hotRetentionByTenant;
        retention = a.retention;
        tenantRetention = a.tenantRetention;
        retentionInterval = a.retentionInterval;
        restore = a.restore;
      }

      Archive build() {
        return new Archive(
            enabled,
            bufferBytes,
            interval,
            store,
            directory,
            s3,
            hotRetention,
            hotRetentionByTenant,
            retention,
            tenantRetention,
            retentionInterval,
            restore);
      }
    }
  }

  /**
   * Restores of archived events into the hot store (docs/archive.md): at most {@code maxRange} of
   * {@code occurred_at} and {@code maxEvents} events per restore; restored events stay hot for
   * {@code hold} unless the request says otherwise, and at most for {@code maxHold}.
   */
  public record Restore(Duration maxRange, int maxEvents, Duration hold, Duration maxHold) {
    public static Restore defaults() {
      return new Restore(Duration.ofDays(31), 100_000, Duration.ofDays(7), Duration.ofDays(90));
    }
  }

  /**
   * An S3-compatible bucket: objects under {@code prefix}; {@code endpoint} overrides AWS's (MinIO,
   * Ceph, s3proxy); credentials from the static pair when both are set, else the SDK's default
   * chain (environment, profile, instance role).
   */
  public record S3(
      @Nullable String bucket,
      String prefix,
      @Nullable String endpoint,
      String region,
      boolean pathStyle,
      @Nullable String accessKeyId,
      @Nullable String secretAccessKey) {
    @Override
    public String toString() {
      // never the secret
      return "S3[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint + "]";
    }
  }

  /**
   * Which engine holds the events and the directory: {@code sqlite} (the default: {@code vellum.db}
   * in the data dir) or {@code postgres} (a database that several nodes may share).
   */
  public record Storage(String engine, Postgres postgres) {
    public boolean isPostgres() {
      return "postgres".equals(engine);
    }
  }

  /**
   * The PostgreSQL database: a JDBC URL, the user, the password given directly or as a file whose
   * first line is the password (for secrets mounted as files), the schema (null: the connection's
   * default) and the size of this node's connection pool.
   */
  public record Postgres(
      @Nullable String url,
      @Nullable String user,
      @Nullable String password,
      @Nullable Path passwordFile,
      @Nullable String schema,
      int poolSize) {
    @Override
    public String toString() {
      // never the password
      return "Postgres[url=" + url + ", user=" + user + ", schema=" + schema + "]";
    }
  }

  /**
   * Notifications (channels and their deliveries). Deliveries are retried with exponential backoff
   * and full jitter, from {@code firstBackoff} up to {@code maxBackoff} per wait, for {@code
   * retryFor} in all, then dead-lettered. Webhook and chat targets must not resolve to loopback,
   * link-local, private or metadata addresses unless {@code allow} lists them (CIDRs or host
   * names). {@code workers} bounds the sends in flight on this node, {@code maxPerChannel} those to
   * one channel.
   */
  public record Notify(
      int maxChannelsPerTenant,
      Duration retryFor,
      Duration firstBackoff,
      Duration maxBackoff,
      Duration connectTimeout,
      Duration requestTimeout,
      int workers,
      int maxPerChannel,
      Duration pollInterval,
      java.util.List<String> allow,
      Smtp smtp) {
    public Notify {
      allow = java.util.List.copyOf(allow);
    }

    public Notify withAllow(java.util.List<String> newAllow) {
      return new Notify(
          maxChannelsPerTenant,
          retryFor,
          firstBackoff,
          maxBackoff,
          connectTimeout,
          requestTimeout,
          workers,
          maxPerChannel,
          pollInterval,
          newAllow,
          smtp);
    }

    public Notify withRetries(Duration newRetryFor, Duration newFirst, Duration newMax) {
      return new Notify(
          maxChannelsPerTenant,
          newRetryFor,
          newFirst,
          newMax,
          connectTimeout,
          requestTimeout,
          workers,
          maxPerChannel,
          pollInterval,
          allow,
          smtp);
    }

    public Notify withSmtp(Smtp newSmtp) {
      return new Notify(
          maxChannelsPerTenant,
          retryFor,
          firstBackoff,
          maxBackoff,
          connectTimeout,
          requestTimeout,
          workers,
          maxPerChannel,
          pollInterval,
          allow,
          newSmtp);
    }
  }

  /**
   * Self-alarms: the node samples its own signals every {@code sampleInterval}; rejection rates are
   * over {@code rateWindow}; {@code operatorTenants} may watch node-wide signals and other tenants'
   * values (everyone else only its own tenant's).
   */
  public record Alarms(
      Duration sampleInterval, Duration rateWindow, java.util.List<String> operatorTenants) {
    public Alarms {
      operatorTenants = java.util.List.copyOf(operatorTenants);
    }

    public static Alarms defaults() {
      return new Alarms(Duration.ofSeconds(10), Duration.ofSeconds(60), java.util.List.of());
    }
  }

  /**
   * The SMTP server e-mail channels send through: {@code security} is {@code starttls} (required,
   * never downgraded), {@code tls} (implicit TLS) or {@code none}; the password is given directly
   * or as a file whose first line it is. E-mail channels are refused while no host is set.
   */
  public record Smtp(
      @Nullable String host,
      int port,
      String security,
      @Nullable String username,
      @Nullable String password,
      @Nullable Path passwordFile,
      String from) {
    @Override
    public String toString() {
      // never the password
      return "Smtp[host=" + host + ", port=" + port + ", security=" + security + "]";
    }
  }

  /**
   * Limits on what one ingest request may carry, the writer's batch and queue, and how far commits
   * may run ahead of this node's search index and rules engine before requests wait for them
   * ({@code maxLeadEvents}, 0 for never; at most {@code maxLeadWait} per request).
   */
  public record Ingest(
      int maxEventsPerRequest,
      long maxRequestBytes,
      long maxEventBytes,
      Duration maxFutureSkew,
      int maxBatchEvents,
      int queueCapacityEvents,
      long maxLeadEvents,
      Duration maxLeadWait) {

    /** The limits with another lead over the search index and rules (0: ingest never waits). */
    public Ingest withMaxLeadEvents(long events) {
      return new Ingest(
          maxEventsPerRequest,
          maxRequestBytes,
          maxEventBytes,
          maxFutureSkew,
          maxBatchEvents,
          queueCapacityEvents,
          events,
          maxLeadWait);
    }
  }

  /**
   * The HTTP edge: Jetty's idle timeout (longest silence on a connection), the longest a request
   * body may take in all, how many requests one API key may have open at once, and TLS.
   */
  public record Http(Duration idleTimeout, Duration bodyTimeout, int maxInFlightPerKey, Tls tls) {}

  /**
   * HTTPS from a PEM certificate chain and a PEM PKCS#8 private key, both re-read when either file
   * changes (checked every {@code checkInterval}). Off when no certificate is set.
   */
  public record Tls(@Nullable Path certificate, @Nullable Path privateKey, Duration checkInterval) {
    public boolean enabled() {
      return certificate != null;
    }
  }

  /**
   * The default usage plan of an API key: a token bucket ({@code requestsPerSecond}, {@code burst})
   * and a quota of {@code quota} requests per {@code quotaPeriod} ("day" or "month"); a quota of 0
   * means none. A key created with its own plan overrides these.
   */
  public record RateLimit(long requestsPerSecond, long burst, long quota, String quotaPeriod) {
    public RateLimit(long requestsPerSecond, long burst) {
      this(requestsPerSecond, burst, 0, "day");
    }
  }

  public static VellumConfig defaults() {
    return new VellumConfig(
        "0.0.0.0",
        8080,
        Path.of("vellum-data"),
        "vellum.local",
        new Ingest(
            1_000,
            4L << 20,
            1L << 20,
            Duration.ofMinutes(5),
            5_000,
            100_000,
            1_000,
            Duration.ofSeconds(2)),
        new RateLimit(2_000, 10_000),
        Duration.ofSeconds(1),
        null,
        new Http(
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            32,
            new Tls(null, null, Duration.ofSeconds(10))),
        new Storage("sqlite", new Postgres(null, null, null, null, null, 10)),
        LogKey.inDataDir(),
        Archive.defaults(),
        new Notify(
            50,
            Duration.ofHours(24),
            Duration.ofSeconds(10),
            Duration.ofHours(1),
            Duration.ofSeconds(5),
            Duration.ofSeconds(15),
            4,
            2,
            Duration.ofSeconds(1),
            java.util.List.of(),
            new Smtp(null, 587, "starttls", null, null, null, "vellum@localhost")),
        Alarms.defaults());
  }

  /** Fails with a message naming the setting and its value when anything is out of range. */
  public VellumConfig validate() {
    require(port >= 0 && port <= 65535, "port", port, "must be 0..65535");
    require(dataDir != null, "data_dir", dataDir, "is required");
    require(
        logKey.file() == null || logKey.key() == null,
        "log.signing_key_file",
        logKey.file(),
        "set either it or log.signing_key (VELLUM_LOG_SIGNING_KEY), not both");
    require(
        logName != null && logName.matches("[A-Za-z0-9._/-]+") && !logName.isEmpty(),
        "log_name",
        logName,
        "must be non-empty and use only letters, digits, '.', '_', '-', '/'");
    require(
        ingest.maxEventsPerRequest() >= 1,
        "ingest.max_events_per_request",
        ingest.maxEventsPerRequest(),
        "must be at least 1");
    require(
        ingest.maxEventBytes() >= 1024,
        "ingest.max_event_bytes",
        ingest.maxEventBytes(),
        "must be at least 1024");
    require(
        ingest.maxRequestBytes() >= ingest.maxEventBytes(),
        "ingest.max_request_bytes",
        ingest.maxRequestBytes(),
        "must be at least ingest.max_event_bytes");
    require(
        !ingest.maxFutureSkew().isNegative(),
        "ingest.max_future_skew",
        ingest.maxFutureSkew(),
        "must not be negative");
    require(
        ingest.maxBatchEvents() >= 1,
        "ingest.max_batch_events",
        ingest.maxBatchEvents(),
        "must be at least 1");
    require(
        ingest.queueCapacityEvents() >= ingest.maxEventsPerRequest(),
        "ingest.queue_capacity_events",
        ingest.queueCapacityEvents(),
        "must be at least ingest.max_events_per_request");
    require(
        ingest.maxLeadEvents() >= 0,
        "ingest.max_lead_events",
        ingest.maxLeadEvents(),
        "must not be negative (0: ingest never waits for the search index or rules)");
    require(
        !ingest.maxLeadWait().isNegative()
            && ingest.maxLeadWait().compareTo(Duration.ofSeconds(30)) <= 0,
        "ingest.max_lead_wait",
        ingest.maxLeadWait(),
        "must be 0s..30s");
    require(
        rateLimit.requestsPerSecond() >= 1,
        "rate_limit.requests_per_second",
        rateLimit.requestsPerSecond(),
        "must be at least 1");
    require(rateLimit.burst() >= 1, "rate_limit.burst", rateLimit.burst(), "must be at least 1");
    require(
        rateLimit.quota() >= 0,
        "rate_limit.quota",
        rateLimit.quota(),
        "must be 0 (no quota) or more");
    require(
        "day".equals(rateLimit.quotaPeriod()) || "month".equals(rateLimit.quotaPeriod()),
        "rate_limit.quota_period",
        rateLimit.quotaPeriod(),
        "must be day or month");
    require(
        checkpointInterval.toMillis() >= 10,
        "checkpoint.interval",
        checkpointInterval,
        "must be at least 10ms");
    require(
        bootstrapKey == null || bootstrapKey.length() >= 24,
        "bootstrap_key",
        "(hidden)",
        "must be at least 24 characters");
    require(
        http.idleTimeout().toMillis() >= 100,
        "http.idle_timeout",
        http.idleTimeout(),
        "must be at least 100ms");
    require(
        http.bodyTimeout().toMillis() >= 100,
        "http.body_timeout",
        http.bodyTimeout(),
        "must be at least 100ms");
    require(
        http.maxInFlightPerKey() >= 1,
        "http.max_in_flight_per_key",
        http.maxInFlightPerKey(),
        "must be at least 1");
    require(
        (http.tls().certificate() == null) == (http.tls().privateKey() == null),
        "tls.private_key",
        http.tls().privateKey(),
        "tls.certificate and tls.private_key must be set together");
    require(
        http.tls().checkInterval().toMillis() >= 100,
        "tls.check_interval",
        http.tls().checkInterval(),
        "must be at least 100ms");
    require(
        "sqlite".equals(storage.engine()) || storage.isPostgres(),
        "store",
        storage.engine(),
        "must be sqlite or postgres");
    Postgres pg = storage.postgres();
    String url = pg.url();
    require(
        !storage.isPostgres() || url != null,
        "postgres.url",
        null,
        "is required with store: postgres (jdbc:postgresql://host:5432/database)");
    require(
        url == null || url.startsWith("jdbc:postgresql://"),
        "postgres.url",
        url == null ? null : safeUrl(url),
        "must start with jdbc:postgresql://");
    require(pg.poolSize() >= 2, "postgres.pool_size", pg.poolSize(), "must be at least 2");
    require(
        pg.password() == null || pg.passwordFile() == null,
        "postgres.password_file",
        pg.passwordFile(),
        "postgres.password and postgres.password_file must not both be set");
    require(
        pg.schema() == null || pg.schema().matches("[A-Za-z_][A-Za-z0-9_]{0,62}"),
        "postgres.schema",
        pg.schema(),
        "must be a plain identifier (letters, digits, '_')");
    validateArchive();
    validateNotify();
    validateAlarms();
    return this;
  }

  private void validateAlarms() {
    require(
        alarms.sampleInterval().toMillis() >= 100 && alarms.sampleInterval().toHours() < 1,
        "alarms.sample_interval",
        alarms.sampleInterval(),
        "must be 100ms..1h");
    require(
        alarms.rateWindow().compareTo(alarms.sampleInterval()) >= 0
            && alarms.rateWindow().toMillis() / alarms.sampleInterval().toMillis() <= 1000,
        "alarms.rate_window",
        alarms.rateWindow(),
        "must be 1 to 1000 sample intervals");
    require(
        alarms.operatorTenants().size() <= 100
            && alarms.operatorTenants().stream()
                .allMatch(t -> t.matches("[a-z0-9][a-z0-9-]{0,62}")),
        "alarms.operator_tenants",
        alarms.operatorTenants(),
        "must be at most 100 tenant ids");
  }

  private void validateArchive() {
    require(
        archive.hotRetention().compareTo(Duration.ofHours(1)) >= 0
            && archive.hotRetention().compareTo(Duration.ofDays(36_500)) <= 0,
        "archive.hot_retention",
        archive.hotRetention(),
        "must be between 1h and 36500d");
    for (Map.Entry<String, Duration> t : archive.hotRetentionByTenant().entrySet()) {
      require(
          t.getValue().compareTo(Duration.ofHours(1)) >= 0
              && t.getValue().compareTo(Duration.ofDays(36_500)) <= 0,
          "archive.hot_retention_tenants",
          t.getKey() + "=" + t.getValue(),
          "each tenant's retention must be between 1h and 36500d");
    }
    Restore r = archive.restore();
    require(
        r.maxRange().compareTo(Duration.ofMinutes(1)) >= 0
            && r.maxRange().compareTo(Duration.ofDays(3_660)) <= 0,
        "archive.restore.max_range",
        r.maxRange(),
        "must be between 1m and 3660d");
    require(
        r.maxEvents() >= 1 && r.maxEvents() <= 1_000_000,
        "archive.restore.max_events",
        r.maxEvents(),
        "must be 1..1000000");
    require(
        r.maxHold().compareTo(Duration.ofMinutes(1)) >= 0
            && r.maxHold().compareTo(Duration.ofDays(3_660)) <= 0,
        "archive.restore.max_hold",
        r.maxHold(),
        "must be between 1m and 3660d");
    require(
        r.hold().compareTo(Duration.ofMinutes(1)) >= 0 && r.hold().compareTo(r.maxHold()) <= 0,
        "archive.restore.hold",
        r.hold(),
        "must be at least 1m and at most archive.restore.max_hold");
    require(
        archive.bufferBytes() >= 1024 && archive.bufferBytes() <= 1L << 30,
        "archive.buffer_bytes",
        archive.bufferBytes(),
        "must be 1024..1073741824");
    require(
        archive.interval().toMillis() >= 10,
        "archive.interval",
        archive.interval(),
        "must be at least 10ms");
    require(
        "directory".equals(archive.store()) || archive.isS3(),
        "archive.store",
        archive.store(),
        "must be directory or s3");
    require(
        !archive.isS3() || archive.s3().bucket() != null,
        "archive.s3.bucket",
        null,
        "is required with archive.store: s3");
    require(
        archive.s3().prefix().isEmpty()
            || (archive.s3().prefix().matches("[A-Za-z0-9=._-]+(/[A-Za-z0-9=._-]+)*")
                && !("/" + archive.s3().prefix() + "/").matches(".*/\\.{1,2}/.*")),
        "archive.s3.prefix",
        archive.s3().prefix(),
        "must be empty or slash-separated letters, digits and = . _ -, without a leading or trailing slash");
    require(
        (archive.s3().accessKeyId() == null) == (archive.s3().secretAccessKey() == null),
        "archive.s3.access_key_id",
        archive.s3().accessKeyId(),
        "archive.s3.access_key_id and archive.s3.secret_access_key must be set together");
    require(
        archive.retention().toHours() >= 24,
        "archive.retention",
        archive.retention(),
        "must be at least 1 day");
    for (java.util.Map.Entry<String, Duration> t : archive.tenantRetention().entrySet()) {
      require(
          t.getValue().toHours() >= 24,
          "archive.tenant_retention",
          t.getKey() + "=" + t.getValue(),
          "must be at least 1 day for every tenant");
    }
    require(
        archive.retentionInterval().toMillis() >= 100,
        "archive.retention_interval",
        archive.retentionInterval(),
        "must be at least 100ms");
  }

  private void validateNotify() {
    require(
        notifications.maxChannelsPerTenant() >= 1 && notifications.maxChannelsPerTenant() <= 1000,
        "notify.max_channels_per_tenant",
        notifications.maxChannelsPerTenant(),
        "must be 1..1000");
    require(
        notifications.firstBackoff().toMillis() >= 1,
        "notify.first_backoff",
        notifications.firstBackoff(),
        "must be at least 1ms");
    require(
        notifications.maxBackoff().compareTo(notifications.firstBackoff()) >= 0,
        "notify.max_backoff",
        notifications.maxBackoff(),
        "must be at least notify.first_backoff");
    require(
        notifications.retryFor().toMillis() >= 1 && notifications.retryFor().toDays() <= 30,
        "notify.retry_for",
        notifications.retryFor(),
        "must be 1ms..30 days");
    require(
        notifications.connectTimeout().toMillis() >= 10,
        "notify.connect_timeout",
        notifications.connectTimeout(),
        "must be at least 10ms");
    require(
        notifications.requestTimeout().compareTo(notifications.connectTimeout()) >= 0,
        "notify.request_timeout",
        notifications.requestTimeout(),
        "must be at least notify.connect_timeout");
    require(
        notifications.workers() >= 1 && notifications.workers() <= 256,
        "notify.workers",
        notifications.workers(),
        "must be 1..256");
    require(
        notifications.maxPerChannel() >= 1
            && notifications.maxPerChannel() <= notifications.workers(),
        "notify.max_per_channel",
        notifications.maxPerChannel(),
        "must be 1..notify.workers");
    require(
        notifications.pollInterval().toMillis() >= 10,
        "notify.poll_interval",
        notifications.pollInterval(),
        "must be at least 10ms");
    require(
        notifications.allow().size() <= 100,
        "notify.allow",
        notifications.allow().size() + " entries",
        "at most 100 entries");
    Smtp smtp = notifications.smtp();
    require(
        java.util.Set.of("starttls", "tls", "none").contains(smtp.security()),
        "notify.smtp.security",
        smtp.security(),
        "must be starttls, tls or none");
    require(
        smtp.port() >= 1 && smtp.port() <= 65535,
        "notify.smtp.port",
        smtp.port(),
        "must be 1..65535");
    require(
        smtp.password() == null || smtp.passwordFile() == null,
        "notify.smtp.password_file",
        smtp.passwordFile(),
        "notify.smtp.password and notify.smtp.password_file must not both be set");
    require(
        smtp.from().contains("@") && smtp.from().length() <= 254,
        "notify.smtp.from",
        smtp.from(),
        "must be an e-mail address");
  }

  private static String safeUrl(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?…";
  }

  private static void require(boolean ok, String setting, @Nullable Object value, String rule) {
    if (!ok) {
      throw new ConfigException("setting " + setting + " = " + value + ": " + rule);
    }
  }

  public VellumConfig withPort(int newPort) {
    Copy c = new Copy(this);
    c.port = newPort;
    return c.build();
  }

  public VellumConfig withDataDir(Path newDataDir) {
    Copy c = new Copy(this);
    c.dataDir = newDataDir;
    return c.build();
  }

  public VellumConfig withHost(String newHost) {
    Copy c = new Copy(this);
    c.host = newHost;
    return c.build();
  }

  public VellumConfig withBootstrapKey(String key) {
    Copy c = new Copy(this);
    c.bootstrapKey = key;
    return c.build();
  }

  public VellumConfig withRateLimit(RateLimit limit) {
    Copy c = new Copy(this);
    c.rateLimit = limit;
    return c.build();
  }

  public VellumConfig withIngest(Ingest newIngest) {
    Copy c = new Copy(this);
    c.ingest = newIngest;
    return c.build();
  }

  public VellumConfig withHttp(Http newHttp) {
    Copy c = new Copy(this);
    c.http = newHttp;
    return c.build();
  }

  public VellumConfig withLogKey(LogKey newLogKey) {
    Copy c = new Copy(this);
    c.logKey = newLogKey;
    return c.build();
  }

  public VellumConfig withArchive(Archive newArchive) {
    Copy c = new Copy(this);
    c.archive = newArchive;
    return c.build();
  }

  public VellumConfig withStorage(Storage newStorage) {
    Copy c = new Copy(this);
    c.storage = newStorage;
    return c.build();
  }

  public VellumConfig withAlarms(Alarms newAlarms) {
    Copy c = new Copy(this);
    c.alarms = newAlarms;
    return c.build();
  }

  public VellumConfig withNotify(Notify newNotify) {
    Copy c = new Copy(this);
    c.notifications = newNotify;
    return c.build();
  }

  /** The components of a {@code VellumConfig}, to change a few and build a new one. */
  private static final class Copy {
    private String host;
    private int port;
    private Path dataDir;
    private String logName;
    private Ingest ingest;
    private RateLimit rateLimit;
    private Duration checkpointInterval;
    private @Nullable String bootstrapKey;
    private Http http;
    private Storage storage;
    private LogKey logKey;
    private Archive archive;
    private Notify notifications;
    private Alarms alarms;

    Copy(VellumConfig v) {
      host = v.host;
      port = v.port;
      dataDir = v.dataDir;
      logName = v.logName;
      ingest = v.ingest;
      rateLimit = v.rateLimit;
      checkpointInterval = v.checkpointInterval;
      bootstrapKey = v.bootstrapKey;
      http = v.http;
      storage = v.storage;
      logKey = v.logKey;
      archive = v.archive;
      notifications = v.notifications;
      alarms = v.alarms;
    }

    VellumConfig build() {
      return new VellumConfig(
          host,
          port,
          dataDir,
          logName,
          ingest,
          rateLimit,
          checkpointInterval,
          bootstrapKey,
          http,
          storage,
          logKey,
          archive,
          notifications,
          alarms);
    }
  }
}
