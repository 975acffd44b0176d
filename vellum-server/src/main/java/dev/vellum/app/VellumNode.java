package dev.vellum.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.alarms.SignalSampler;
import dev.vellum.analytics.Analytics;
import dev.vellum.analytics.AnalyticsSettings;
import dev.vellum.archive.ArchiveService;
import dev.vellum.archive.LegalHolds;
import dev.vellum.auth.ApiKeys;
import dev.vellum.auth.Principal;
import dev.vellum.auth.RateLimiter;
import dev.vellum.auth.Scope;
import dev.vellum.auth.Sources;
import dev.vellum.auth.Tenants;
import dev.vellum.cluster.DirectoryCaches;
import dev.vellum.cluster.SharedLogKey;
import dev.vellum.config.ConfigException;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.json.StrictJson;
import dev.vellum.core.sample.SampleEvents;
import dev.vellum.feed.ConsumerRunner;
import dev.vellum.feed.Consumers;
import dev.vellum.feed.Feed;
import dev.vellum.feed.FeedSettings;
import dev.vellum.http.HttpServer;
import dev.vellum.ingest.ConsumerLeadGate;
import dev.vellum.ingest.EventNormalizer;
import dev.vellum.ingest.EventTypeCatalog;
import dev.vellum.ingest.IngestService;
import dev.vellum.ingest.Sequencer;
import dev.vellum.ingest.Times;
import dev.vellum.lease.AdvisoryLockLease;
import dev.vellum.lease.Lease;
import dev.vellum.log.LogSelfCheck;
import dev.vellum.log.SigningKey;
import dev.vellum.log.TransparencyLog;
import dev.vellum.notify.Notifications;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.ObjectStores;
import dev.vellum.query.QueryService;
import dev.vellum.rules.AlarmRules;
import dev.vellum.rules.RuleEngine;
import dev.vellum.rules.RuleService;
import dev.vellum.search.SearchIndex;
import dev.vellum.search.lucene.LuceneSearchIndex;
import dev.vellum.store.DirectoryStore;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedConsumer;
import dev.vellum.store.RecordStore;
import dev.vellum.store.postgres.PostgresDatabase;
import dev.vellum.store.postgres.PostgresDirectoryStore;
import dev.vellum.store.postgres.PostgresEventStore;
import dev.vellum.store.postgres.PostgresRecordStore;
import dev.vellum.store.postgres.PostgresSettings;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteDirectoryStore;
import dev.vellum.store.sqlite.SqliteEventStore;
import dev.vellum.store.sqlite.SqliteRecordStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Vellum node: every part constructed explicitly, in dependency order, and shut down in
 * reverse. Stopping drains the sequencer, so everything accepted before is committed.
 */
public final class VellumNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VellumNode.class);
  public static final String DEMO_SOURCE = "DEMO_APP";

  /** The search index's directory inside the data dir: derived data, rebuilt when missing. */
  public static final String SEARCH_INDEX_DIR = "search-index";

  /** The archive's local object store inside the data dir (the archive contract's default). */
  public static final String ARCHIVE_DIR = "archive";

  /**
   * What tests and embedders may add to a node: wrappers around the event store and the search
   * index (to inject faults), extra feed consumers, and the feed's retry settings.
   */
  public record Extensions(
      UnaryOperator<EventStore> storeWrapper,
      UnaryOperator<SearchIndex> searchWrapper,
      List<FeedConsumer> consumers,
      FeedSettings feedSettings) {
    public static Extensions none() {
      return new Extensions(
          UnaryOperator.identity(), UnaryOperator.identity(), List.of(), FeedSettings.defaults());
    }
  }

  private final VellumConfig config;
  private final Extensions extensions;
  private final Clock clock = Clock.systemUTC();
  private final PrometheusMeterRegistry metrics;
  private final DataDirLock dataDirLock;
  private final EventStore store;

  /** Durable records of the capabilities after the commit, in the same database as the events. */
  private final RecordStore records;

  /** Starts the lease of a cluster-wide role: always held on SQLite, one node at a time on PG. */
  private final Function<String, Lease> leases;

  /** The leases of once-per-cluster feed consumers, one per role, closed after the consumers. */
  private final Map<String, Lease> consumerLeases = new ConcurrentHashMap<>();

  private final Feed feed;
  private final Sequencer sequencer;
  private final TransparencyLog log;

  /** This node's right to sign checkpoints: always on SQLite, one node at a time on PostgreSQL. */
  private final Lease signerLease;

  private final SearchIndex search;

  /** Keeps this node's directory caches in step with the other nodes' changes (PostgreSQL). */
  private final DirectoryStore.Subscription directoryChanges;

  /** Parts that follow other nodes' directory changes besides the caches (the rules engine). */
  private final List<java.util.function.Consumer<DirectoryStore.Change>> directoryListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private final Consumers consumers = new Consumers();

  /** What the constructor opened so far, closed in reverse if a later step fails. */
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  private final ConsumerRunner searchRunner;

  /** The archive (object store and archiver); null when {@code archive.enabled} is false. */
  private final @Nullable ArchiveService archive;

  /** Restores of archived events into the hot store; null when the archive is off. */
  private final dev.vellum.archive.@Nullable Restores restores;

  private final HttpServer http;
  private final Analytics analytics;
  private final IngestService ingest;

  /** Legal holds: kept whether or not the archiver runs on this node. */
  private final LegalHolds holds;

  /** The rules engine: follows the feed under the cluster role "rules". */
  private final RuleEngine rules;

  /** Channels, deliveries and the sender; its feed consumer turns alert events into deliveries. */
  private final Notifications notifications;

  /** Samples the node's own signals for the alarm rules; started once the node serves. */
  private final SignalSampler signals;

  private final @Nullable String bootstrapKey;
  private final List<String> tenantIds;
  private volatile boolean ready;

  private VellumNode(VellumConfig config, boolean demo, Extensions extensions) {
    this.config = config;
    this.extensions = extensions;
    ObjectMapper json = StrictJson.mapper();
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProcessMetrics.bindTo(metrics);
    this.dataDirLock = track(DataDirLock.acquire(config.dataDir())); // one server per data dir
    try {
      EventStore engine;
      DirectoryStore directory;
      if (config.storage().isPostgres()) {
        PostgresDatabase database = track(PostgresDatabase.open(postgresSettings(config)));
        engine = new PostgresEventStore(database);
        directory = new PostgresDirectoryStore(database);
        this.records = PostgresRecordStore.open(database);
        SharedLogKey.claimOrCompare(
            records, SigningKey.load(config), json, Times.micros(clock.instant()));
        this.leases =
            role ->
                track(
                    AdvisoryLockLease.start(
                        database.schema(),
                        role,
                        database::openSessionConnection,
                        clock,
                        Duration.ofSeconds(1)));
      } else {
        SqliteDatabase database = track(SqliteDatabase.open(config.dataDir()));
        engine = new SqliteEventStore(database);
        directory = new SqliteDirectoryStore(database);
        this.records = SqliteRecordStore.open(database);
        this.leases = role -> Lease.always(role, clock);
      }
      Lease lease = leases.apply(Lease.CHECKPOINT_SIGNER);
      this.store = extensions.storeWrapper().apply(engine);
      this.signerLease = lease;
      Lease.registerMetric(lease, metrics);
      LuceneSearchIndex lucene =
          track(LuceneSearchIndex.open(config.dataDir().resolve(SEARCH_INDEX_DIR), store));
      io.micrometer.core.instrument.Counter rebuilds =
          io.micrometer.core.instrument.Counter.builder("vellum.search.index.rebuilds")
              .description(
                  "times the search index was found missing or unreadable at start and"
                      + " rebuilt from the log")
              .register(metrics);
      lucene.rebuiltBecause().ifPresent(reason -> rebuilds.increment());
      this.search = extensions.searchWrapper().apply(lucene);
      // readers wait for every write but the records of reads: each search writes one
      this.feed = new Feed(store, e -> !IngestService.isAccessRecord(e));
      Sources sources = new Sources(directory);
      ApiKeys keys = new ApiKeys(directory);
      Tenants tenants = new Tenants(directory, sources, keys);
      EventTypeCatalog catalog = new EventTypeCatalog(directory, json);
      RateLimiter limiter =
          RateLimiter.of(
              new RateLimiter.Plan(
                  config.rateLimit().requestsPerSecond(),
                  config.rateLimit().burst(),
                  config.rateLimit().quota(),
                  config.rateLimit().quotaPeriod()),
              directory);
      // other nodes change the directory too: drop what their changes make stale
      this.directoryChanges =
          track(
              DirectoryCaches.follow(
                  directory, keys, sources, limiter, catalog, directoryListeners));
      this.log =
          config.storage().isPostgres()
              ? TransparencyLog.openShared(
                  config,
                  store,
                  clock,
                  lease,
                  () -> directory.tenants().stream().map(DirectoryStore.Tenant::id).toList())
              : TransparencyLog.open(config, store, clock);
      this.sequencer =
          track(
              new Sequencer(
                  store,
                  log.writer(),
                  feed,
                  json,
                  clock,
                  config.ingest().maxBatchEvents(),
                  config.ingest().queueCapacityEvents(),
                  metrics));
      track(consumers);
      this.searchRunner = follow(search);
      if (config.storage().isPostgres()) {
        // other nodes commit to the shared database too: this node's consumers (its own search
        // index) must follow their events as well, which they read from the store
        track(feed.followStore(Duration.ofMillis(500)));
      }
      metrics.gauge(
          "vellum.search.index.lag.events",
          searchRunner,
          r -> Math.max(0, feed.lastPosition() - r.handledPosition()));
      for (FeedConsumer c : extensions.consumers()) {
        follow(c);
      }
      this.archive =
          config.archive().enabled()
              ? track(
                  ArchiveService.open(
                      config,
                      records,
                      log::awaitCheckpoint,
                      new ArchiveService.Hot(
                          store,
                          search,
                          () ->
                              directory.tenants().stream().map(DirectoryStore.Tenant::id).toList()),
                      consumerLease(ArchiveService.RETENTION_ROLE),
                      clock,
                      metrics))
              : null;
      if (archive != null) {
        follow(archive.archiver());
      }
      this.notifications =
          track(Notifications.create(config.notifications(), records, json, clock, metrics));
      follow(notifications.follower());
      notifications.start();
      ConsumerLeadGate leadGate =
          new ConsumerLeadGate(
              feed::lastPosition,
              sequencer::queuedEvents,
              config.ingest().maxLeadEvents(),
              config.ingest().maxLeadWait(),
              metrics);
      leadGate.watch(searchRunner);
      this.ingest =
          new IngestService(
              new EventNormalizer(catalog, config.ingest().maxFutureSkew()),
              sequencer,
              leadGate,
              sources,
              clock,
              json,
              metrics);
      this.rules =
          track(
              new RuleEngine(
                  records,
                  ingest::recordSystemEvent,
                  json,
                  clock,
                  metrics,
                  store::lastPosition,
                  () -> directory.tenants().stream().map(DirectoryStore.Tenant::id).toList(),
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(5)));
      leadGate.watch(follow(rules));
      if (config.storage().isPostgres()) {
        // the rules role runs on one node; rules change through any node's API
        rules.announceChangesThrough(directory);
        directoryListeners.add(rules::onDirectoryChange);
      }
      this.signals = track(signalSampler(config, directory));
      AlarmRules alarms =
          new AlarmRules(
              records,
              rules,
              json,
              clock,
              Set.copyOf(config.alarms().operatorTenants()),
              nodeId(config),
              () -> consumerLease(RuleEngine.NAME).held(),
              Duration.ofSeconds(30));
      signals.addListener(alarms::onSample);
      this.holds = new LegalHolds(records, json, clock);
      if (archive != null) {
        // under the archiver's lease: one node of a cluster deletes archived files at a time
        archive.startRetention(
            holds,
            ingest::recordSystemEvent,
            () -> directory.tenants().stream().map(DirectoryStore.Tenant::id).toList(),
            consumerLease("archive"));
      }
      this.bootstrapKey = bootstrap(tenants, sources, clock);
      if (demo) {
        loadDemo(clock);
      }
      this.restores =
          archive != null
              ? archive.restores(feed::published, (t, e) -> ingest.recordSystemEvent(t, e).id())
              : null;
      QueryService queries =
          new QueryService(
              store,
              search,
              feed,
              searchRunner,
              metrics,
              archive != null ? archive.reader() : dev.vellum.query.ArchiveReader.NONE);
      this.analytics = analytics(config, json);
      this.http =
          new HttpServer(
              new HttpServer.Parts(
                  config,
                  json,
                  clock,
                  metrics,
                  directory,
                  sources,
                  catalog,
                  keys,
                  tenants,
                  limiter,
                  ingest,
                  queries,
                  log,
                  store,
                  consumers,
                  this::notReadyReason,
                  feed,
                  new RuleService(
                      records, catalog, queries, rules, json, clock, alarms, signals::latest),
                  analytics,
                  notifications,
                  holds,
                  restores));
      this.tenantIds = directory.tenants().stream().map(DirectoryStore.Tenant::id).toList();
    } catch (RuntimeException | Error e) {
      abandon();
      throw e;
    }
  }

  /** The sampler of the node's own signals, reading them from the parts built so far. */
  private SignalSampler signalSampler(VellumConfig config, DirectoryStore directory) {
    LogSelfCheck selfCheck = new LogSelfCheck(store, log::verifierKey, metrics);
    return new SignalSampler(
        new SignalSampler.Sources(
            () -> directory.tenants().stream().map(DirectoryStore.Tenant::id).toList(),
            ingest.counts(),
            sequencer::queuedEvents,
            consumers::statuses,
            log::treeSize,
            log::latestCheckpoint,
            selfCheck,
            config.dataDir()),
        clock,
        config.alarms().sampleInterval(),
        config.alarms().rateWindow());
  }

  /** This node's name in the alerts of node signals: host name and data dir. */
  private static String nodeId(VellumConfig config) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "localhost";
    }
    String id = host + ":" + config.dataDir().toAbsolutePath().normalize();
    return id.length() <= 128 ? id : id.substring(id.length() - 128);
  }

  /**
   * SQL analytics over the archive (the local directory under the data dir until the archiver
   * configures another store) and the hot events; its limits come from {@code VELLUM_ANALYTICS_*}
   * environment variables.
   */
  /** Analytics reads the archiver's own store; with the archiver off, the configured one. */
  private ObjectStore archiveObjects(VellumConfig config) throws IOException {
    return archive != null
        ? archive.objects()
        : track(ObjectStores.open(config.archive(), config.dataDir()));
  }

  private Analytics analytics(VellumConfig config, ObjectMapper json) {
    try {
      return track(
          new Analytics(
              store,
              records,
              archiveObjects(config),
              config.dataDir().resolve("analytics-cache"),
              AnalyticsSettings.fromEnvironment(System.getenv()),
              json,
              clock));
    } catch (IOException e) {
      throw new ConfigException("cannot open the archive directory: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(String.valueOf(e.getMessage()));
    }
  }

  /**
   * The PostgreSQL settings, with the password read from its file if one is configured; also what
   * {@code vellum migrate} writes to.
   */
  public static PostgresSettings postgresSettings(VellumConfig config) {
    VellumConfig.Postgres pg = config.storage().postgres();
    String password = pg.password();
    Path file = pg.passwordFile();
    if (file != null) {
      try {
        List<String> lines = Files.readAllLines(file);
        password = lines.isEmpty() ? "" : lines.get(0).strip();
      } catch (IOException e) {
        throw new ConfigException(
            "setting postgres.password_file = " + file + ": cannot read it: " + e.getMessage());
      }
    }
    String url = pg.url();
    if (url == null) {
      throw new ConfigException("setting postgres.url = null: is required with store: postgres");
    }
    return new PostgresSettings(url, pg.user(), password, pg.schema(), pg.poolSize());
  }

  private <T extends AutoCloseable> T track(T part) {
    opened.push(part);
    return part;
  }

  /** Closes what a failed start opened, newest first, so the data dir lock is released too. */
  private void abandon() {
    while (!opened.isEmpty()) {
      closeQuietly(opened.pop(), "closing after a failed start");
    }
  }

  /**
   * Runs the consumer on this node; one with a cluster role only while this node holds the role's
   * lease (always on SQLite).
   */
  private ConsumerRunner follow(FeedConsumer consumer) {
    Lease lease = consumer.clusterRole().map(this::consumerLease).orElse(null);
    ConsumerRunner runner =
        ConsumerRunner.start(
            consumer, feed, sequencer, extensions.feedSettings(), clock, metrics, lease);
    consumers.add(runner);
    return runner;
  }

  private Lease consumerLease(String role) {
    return consumerLeases.computeIfAbsent(
        role,
        r -> {
          Lease lease = leases.apply(r);
          Lease.registerMetric(lease, metrics);
          return lease;
        });
  }

  private Optional<String> notReadyReason() {
    if (!ready) {
      return Optional.of("starting or stopping");
    }
    Optional<String> writer = sequencer.failureReason();
    return writer.isPresent() ? writer : consumers.notReadyReason();
  }

  /** Opens the data dir, migrates, bootstraps and starts serving HTTP. */
  public static VellumNode start(VellumConfig config, boolean demo) {
    return start(config, demo, Extensions.none());
  }

  public static VellumNode start(VellumConfig config, boolean demo, Extensions extensions) {
    VellumNode node = new VellumNode(config, demo, extensions);
    try {
      node.log.startCheckpointer(node.tenantIds, node.sequencer::saveCheckpoint);
      node.http.start();
      node.signals.start();
    } catch (RuntimeException | Error e) {
      node.close();
      throw e;
    }
    node.dataDirLock.restrictFiles();
    node.ready = true;
    LOG.info(
        "Vellum listening on {}://{}:{} with data in {}",
        config.http().tls().enabled() ? "https" : "http",
        config.host(),
        node.port(),
        config.dataDir().toAbsolutePath());
    return node;
  }

  /** This node's checkpoint-signer lease (held or not, since when). */
  public Lease signerLease() {
    return signerLease;
  }

  /** Restores of archived events, if the archive is enabled: for tests and tools. */
  public Optional<dev.vellum.archive.Restores> restores() {
    return Optional.ofNullable(restores);
  }

  /** The node's archive, if enabled: for tests and tools. */
  public Optional<ArchiveService> archive() {
    return Optional.ofNullable(archive);
  }

  /** The node's durable records (rules, channels, alerts, holds, …): for tests and tools. */
  public RecordStore records() {
    return records;
  }

  /** The event store: for tests and tools. */
  public EventStore store() {
    return store;
  }

  /** The ingest service, for tests and tools that record system events as the server does. */
  public IngestService ingest() {
    return ingest;
  }

  /** The HTTP endpoints this node serves, as "method path". */
  public List<String> routes() {
    return http.routes();
  }

  public int port() {
    return http.port();
  }

  /** The bootstrap admin key if it was created by this start, else null. */
  public @Nullable String bootstrapKey() {
    return bootstrapKey;
  }

  private @Nullable String bootstrap(Tenants tenants, Sources sources, Clock clock) {
    if (tenants.exists(ApiKeys.DEFAULT_TENANT)) {
      return null;
    }
    long now = Times.micros(clock.instant());
    String secret =
        tenants
            .create(ApiKeys.DEFAULT_TENANT, "Default tenant", config.bootstrapKey(), now)
            .orElseThrow()
            .secret();
    sources.register(
        new DirectoryStore.Source(
            ApiKeys.DEFAULT_TENANT,
            DEMO_SOURCE,
            "Demo application",
            "created on first start",
            now));
    Path file = config.dataDir().resolve("bootstrap-key");
    try {
      Files.writeString(file, secret + "\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("could not write {}: {}", file, e.getMessage());
    }
    System.out.println();
    System.out.println("  Vellum created tenant 'default' with an admin API key (shown once):");
    System.out.println();
    System.out.println("    " + secret);
    System.out.println();
    System.out.println("  It is also in " + file.toAbsolutePath() + " (mode 0600).");
    System.out.println();
    return secret;
  }

  private void loadDemo(Clock clock) {
    if (store.nextSeq(ApiKeys.DEFAULT_TENANT) > 0) {
      return;
    }
    SampleEvents samples = new SampleEvents(7L);
    List<JsonNode> events = new ArrayList<>(samples.demoSet(clock.instant(), 500, DEMO_SOURCE));
    Principal loader =
        new Principal(
            "demo-loader", ApiKeys.DEFAULT_TENANT, Set.of(Scope.EVENTS_WRITE), Set.of(DEMO_SOURCE));
    long rejected =
        ingest.ingest(loader, events).stream()
            .filter(r -> r.status() == dev.vellum.ingest.IngestResult.Status.REJECTED)
            .count();
    LOG.info("loaded {} demo events ({} rejected)", events.size() - rejected, rejected);
  }

  /**
   * Graceful stop: no new requests; commit what is queued; sign the final checkpoints and save the
   * consumers' positions through the still-running writer; then stop the writer and close.
   */
  @Override
  public void close() {
    ready = false;
    signals.close();
    http.stop();
    analytics.close();
    try {
      sequencer.flush().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("could not commit everything queued before stopping: {}", e.getMessage());
    }
    closeQuietly(log, "signing the final checkpoints");
    closeQuietly(signerLease, "giving up the checkpoint-signer lease");
    closeQuietly(consumers, "stopping the feed consumers");
    closeQuietly(notifications, "stopping the notification sender");
    closeQuietly(rules, "saving the rules engine's state");
    if (archive != null) {
      closeQuietly(archive, "closing the archive");
    }
    // given up only after the consumers stopped, so the next holder finds their final positions
    consumerLeases.values().forEach(l -> closeQuietly(l, "giving up the " + l.role() + " lease"));
    sequencer.close();
    directoryChanges.close();
    search.close();
    store.close();
    dataDirLock.close();
  }

  private static void closeQuietly(AutoCloseable part, String doing) {
    try {
      part.close();
    } catch (Exception e) {
      LOG.warn("{} failed: {}", doing, e.getMessage());
    }
  }
}
