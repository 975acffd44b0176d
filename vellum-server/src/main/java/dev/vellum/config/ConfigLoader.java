package dev.vellum.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the YAML configuration file and {@code VELLUM_*} environment overrides.
 *
 * <p>Keys are snake_case and nested ({@code ingest.max_events_per_request}); the environment
 * variable for a key is {@code VELLUM_} followed by the upper-cased path with dots turned into
 * underscores ({@code VELLUM_INGEST_MAX_EVENTS_PER_REQUEST}). Unknown keys in the file are an
 * error, so that a typo never silently falls back to a default.
 */
public final class ConfigLoader {
  private static final Set<String> KEYS =
      Set.of(
          "host",
          "port",
          "data_dir",
          "log_name",
          "log.signing_key_file",
          "log.signing_key",
          "bootstrap_key",
          "ingest.max_events_per_request",
          "ingest.max_request_bytes",
          "ingest.max_event_bytes",
          "ingest.max_future_skew",
          "ingest.max_batch_events",
          "ingest.queue_capacity_events",
          "ingest.max_lead_events",
          "ingest.max_lead_wait",
          "rate_limit.requests_per_second",
          "rate_limit.burst",
          "rate_limit.quota",
          "rate_limit.quota_period",
          "checkpoint.interval",
          "http.idle_timeout",
          "http.body_timeout",
          "http.max_in_flight_per_key",
          "tls.certificate",
          "tls.private_key",
          "tls.check_interval",
          "store",
          "postgres.url",
          "postgres.user",
          "postgres.password",
          "postgres.password_file",
          "postgres.schema",
          "postgres.pool_size",
          "archive.enabled",
          "archive.buffer_bytes",
          "archive.interval",
          "archive.store",
          "archive.directory",
          "archive.s3.bucket",
          "archive.s3.prefix",
          "archive.s3.endpoint",
          "archive.s3.region",
          "archive.s3.path_style",
          "archive.s3.access_key_id",
          "archive.s3.secret_access_key",
          "archive.hot_retention",
          "archive.hot_retention_tenants",
          "archive.retention",
          "archive.tenant_retention",
          "archive.retention_interval",
          "archive.restore.max_range",
          "archive.restore.max_events",
          "archive.restore.hold",
          "archive.restore.max_hold",
          "notify.max_channels_per_tenant",
          "notify.retry_for",
          "notify.first_backoff",
          "notify.max_backoff",
          "notify.connect_timeout",
          "notify.request_timeout",
          "notify.workers",
          "notify.max_per_channel",
          "notify.poll_interval",
          "notify.allow",
          "notify.smtp.host",
          "notify.smtp.port",
          "notify.smtp.security",
          "notify.smtp.username",
          "notify.smtp.password",
          "notify.smtp.password_file",
          "notify.smtp.from",
          "alarms.sample_interval",
          "alarms.rate_window",
          "alarms.operator_tenants");

  private ConfigLoader() {}

  /** Loads {@code file} (may be null: no file) and applies {@code env} overrides. */
  public static VellumConfig load(@Nullable Path file, Map<String, String> env) {
    Map<String, String> values = new java.util.TreeMap<>();
    if (file != null) {
      readFile(file, values);
    }
    for (String key : KEYS) {
      String value = env.get("VELLUM_" + key.toUpperCase(Locale.ROOT).replace('.', '_'));
      if (value != null) {
        values.put(key, value);
      }
    }
    return build(values).validate();
  }

  private static void readFile(Path file, Map<String, String> values) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new ConfigException("config file " + file + " must hold a mapping of settings");
    }
    flatten("", (ObjectNode) root, values, file);
  }

  private static void flatten(String prefix, ObjectNode node, Map<String, String> out, Path file) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = prefix + field.getKey();
      if (field.getValue().isObject()) {
        flatten(key + ".", (ObjectNode) field.getValue(), out, file);
      } else if (KEYS.contains(key) && field.getValue().isArray()) {
        // a list (notify.allow) is kept as its comma-separated form, like its environment variable
        List<String> items = new java.util.ArrayList<>();
        field.getValue().forEach(item -> items.add(item.asText()));
        out.put(key, String.join(",", items));
      } else if (KEYS.contains(key)) {
        out.put(key, field.getValue().asText());
      } else {
        throw new ConfigException(
            "unknown setting "
                + key
                + " in "
                + file
                + "; known settings: "
                + new java.util.TreeSet<>(KEYS));
      }
    }
  }

  private static VellumConfig build(Map<String, String> v) {
    VellumConfig d = VellumConfig.defaults();
    VellumConfig.Ingest di = d.ingest();
    return new VellumConfig(
        v.getOrDefault("host", d.host()),
        intOf(v, "port", d.port()),
        v.containsKey("data_dir") ? Path.of(v.get("data_dir")) : d.dataDir(),
        v.getOrDefault("log_name", d.logName()),
        new VellumConfig.Ingest(
            intOf(v, "ingest.max_events_per_request", di.maxEventsPerRequest()),
            longOf(v, "ingest.max_request_bytes", di.maxRequestBytes()),
            longOf(v, "ingest.max_event_bytes", di.maxEventBytes()),
            durationOf(v, "ingest.max_future_skew", di.maxFutureSkew()),
            intOf(v, "ingest.max_batch_events", di.maxBatchEvents()),
            intOf(v, "ingest.queue_capacity_events", di.queueCapacityEvents()),
            longOf(v, "ingest.max_lead_events", di.maxLeadEvents()),
            durationOf(v, "ingest.max_lead_wait", di.maxLeadWait())),
        new VellumConfig.RateLimit(
            longOf(v, "rate_limit.requests_per_second", d.rateLimit().requestsPerSecond()),
            longOf(v, "rate_limit.burst", d.rateLimit().burst()),
            longOf(v, "rate_limit.quota", d.rateLimit().quota()),
            v.getOrDefault("rate_limit.quota_period", d.rateLimit().quotaPeriod())),
        durationOf(v, "checkpoint.interval", d.checkpointInterval()),
        v.getOrDefault("bootstrap_key", null),
        new VellumConfig.Http(
            durationOf(v, "http.idle_timeout", d.http().idleTimeout()),
            durationOf(v, "http.body_timeout", d.http().bodyTimeout()),
            intOf(v, "http.max_in_flight_per_key", d.http().maxInFlightPerKey()),
            new VellumConfig.Tls(
                v.containsKey("tls.certificate") ? Path.of(v.get("tls.certificate")) : null,
                v.containsKey("tls.private_key") ? Path.of(v.get("tls.private_key")) : null,
                durationOf(v, "tls.check_interval", d.http().tls().checkInterval()))),
        new VellumConfig.Storage(
            v.getOrDefault("store", d.storage().engine()).trim().toLowerCase(Locale.ROOT),
            new VellumConfig.Postgres(
                v.get("postgres.url"),
                v.get("postgres.user"),
                v.get("postgres.password"),
                v.containsKey("postgres.password_file")
                    ? Path.of(v.get("postgres.password_file"))
                    : null,
                v.get("postgres.schema"),
                intOf(v, "postgres.pool_size", d.storage().postgres().poolSize()))),
        new VellumConfig.LogKey(
            v.containsKey("log.signing_key_file") ? Path.of(v.get("log.signing_key_file")) : null,
            v.get("log.signing_key")),
        archive(v, d.archive()),
        notifications(v, d.notifications()),
        alarms(v, d.alarms()));
  }

  private static VellumConfig.Alarms alarms(Map<String, String> v, VellumConfig.Alarms d) {
    String operators = v.get("alarms.operator_tenants");
    return new VellumConfig.Alarms(
        durationOf(v, "alarms.sample_interval", d.sampleInterval()),
        durationOf(v, "alarms.rate_window", d.rateWindow()),
        operators == null
            ? d.operatorTenants()
            : java.util.Arrays.stream(operators.split(","))
                .map(String::strip)
                .filter(x -> !x.isEmpty())
                .toList());
  }

  private static VellumConfig.Archive archive(Map<String, String> v, VellumConfig.Archive d) {
    return new VellumConfig.Archive(
        boolOf(v, "archive.enabled", d.enabled()),
        longOf(v, "archive.buffer_bytes", d.bufferBytes()),
        durationOf(v, "archive.interval", d.interval()),
        v.getOrDefault("archive.store", d.store()).trim().toLowerCase(Locale.ROOT),
        v.containsKey("archive.directory") ? Path.of(v.get("archive.directory")) : d.directory(),
        new VellumConfig.S3(
            v.get("archive.s3.bucket"),
            v.getOrDefault("archive.s3.prefix", d.s3().prefix()),
            v.get("archive.s3.endpoint"),
            v.getOrDefault("archive.s3.region", d.s3().region()),
            boolOf(v, "archive.s3.path_style", d.s3().pathStyle()),
            v.get("archive.s3.access_key_id"),
            v.get("archive.s3.secret_access_key")),
        durationOf(v, "archive.hot_retention", d.hotRetention()),
        tenantDurations(v, "archive.hot_retention_tenants", d.hotRetentionByTenant()),
        durationOf(v, "archive.retention", d.retention()),
        tenantDurations(v, "archive.tenant_retention", d.tenantRetention()),
        durationOf(v, "archive.retention_interval", d.retentionInterval()),
        new VellumConfig.Restore(
            durationOf(v, "archive.restore.max_range", d.restore().maxRange()),
            intOf(v, "archive.restore.max_events", d.restore().maxEvents()),
            durationOf(v, "archive.restore.hold", d.restore().hold()),
            durationOf(v, "archive.restore.max_hold", d.restore().maxHold())));
  }

  /**
   * Per-tenant durations such as {@code archive.hot_retention_tenants}: {@code tenant=duration}
   * pairs, comma-separated (in YAML also a list), for example {@code acme=90d,beta=7d}.
   */
  private static Map<String, Duration> tenantDurations(
      Map<String, String> v, String key, Map<String, Duration> fallback) {
    String text = v.get(key);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    Map<String, Duration> out = new java.util.TreeMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            "setting "
                + key
                + " = "
                + text
                + ": must be tenant=duration pairs such as acme=90d,beta=7d");
      }
      String tenant = pair.substring(0, eq).trim();
      out.put(tenant, durationOf(Map.of(key, pair.substring(eq + 1)), key, Duration.ZERO));
    }
    return out;
  }

  private static boolean boolOf(Map<String, String> v, String key, boolean fallback) {
    String text = v.get(key);
    if (text == null) {
      return fallback;
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (!t.equals("true") && !t.equals("false")) {
      throw new ConfigException("setting " + key + " = " + text + ": must be true or false");
    }
    return t.equals("true");
  }

  private static VellumConfig.Notify notifications(Map<String, String> v, VellumConfig.Notify d) {
    VellumConfig.Smtp s = d.smtp();
    String allow = v.get("notify.allow");
    return new VellumConfig.Notify(
        intOf(v, "notify.max_channels_per_tenant", d.maxChannelsPerTenant()),
        durationOf(v, "notify.retry_for", d.retryFor()),
        durationOf(v, "notify.first_backoff", d.firstBackoff()),
        durationOf(v, "notify.max_backoff", d.maxBackoff()),
        durationOf(v, "notify.connect_timeout", d.connectTimeout()),
        durationOf(v, "notify.request_timeout", d.requestTimeout()),
        intOf(v, "notify.workers", d.workers()),
        intOf(v, "notify.max_per_channel", d.maxPerChannel()),
        durationOf(v, "notify.poll_interval", d.pollInterval()),
        allow == null
            ? d.allow()
            : java.util.Arrays.stream(allow.split(","))
                .map(String::strip)
                .filter(x -> !x.isEmpty())
                .toList(),
        new VellumConfig.Smtp(
            v.getOrDefault("notify.smtp.host", s.host()),
            intOf(v, "notify.smtp.port", s.port()),
            v.getOrDefault("notify.smtp.security", s.security()).strip().toLowerCase(Locale.ROOT),
            v.getOrDefault("notify.smtp.username", s.username()),
            v.getOrDefault("notify.smtp.password", s.password()),
            v.containsKey("notify.smtp.password_file")
                ? Path.of(v.get("notify.smtp.password_file"))
                : s.passwordFile(),
            v.getOrDefault("notify.smtp.from", s.from())));
  }

  private static int intOf(Map<String, String> v, String key, int fallback) {
    return (int) longOf(v, key, fallback);
  }

  private static long longOf(Map<String, String> v, String key, long fallback) {
    String text = v.get(key);
    if (text == null) {
      return fallback;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException("setting " + key + " = " + text + ": must be an integer");
    }
  }

  /**
   * Accepts ISO-8601 ({@code PT5M}) or a number with a unit: {@code 500ms}, {@code 5s}, {@code 5m},
   * {@code 24h}.
   */
  static Duration durationOf(Map<String, String> v, String key, Duration fallback) {
    String text = v.get(key);
    if (text == null) {
      return fallback;
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("m") && !t.startsWith("p")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("h") && !t.startsWith("p")) {
        return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("d") && !t.startsWith("p")) {
        return Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.parse(text.trim());
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new ConfigException(
          "setting "
              + key
              + " = "
              + text
              + ": must be a duration such as 500ms, 5s, 5m, 24h or PT5M");
    }
  }
}
