package dev.hailuo.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.account.Accounts;
import dev.hailuo.core.account.ApiKeySecrets;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.generation.GenerationValidator;
import dev.hailuo.core.files.DurationTokens;
import dev.hailuo.core.files.References;
import dev.hailuo.core.generation.Generations;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.money.Money;
import dev.hailuo.server.admin.AdminRoutes;
import dev.hailuo.core.port.BlobStore;
import dev.hailuo.server.blob.LocalBlobStore;
import dev.hailuo.server.blob.S3BlobStore;
import dev.hailuo.server.blob.MediaLinks;
import dev.hailuo.server.config.GatewayConfig;
import dev.hailuo.server.dispatch.Dispatcher;
import dev.hailuo.server.dispatch.PickOrder;
import dev.hailuo.server.dispatch.PollSchedule;
import dev.hailuo.server.dispatch.ResultStore;
import dev.hailuo.server.dispatch.Sweeper;
import dev.hailuo.server.dispatch.TaskRunner;
import dev.hailuo.server.http.ApiServer;
import dev.hailuo.server.http.Bodies;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.HealthRoutes;
import dev.hailuo.server.http.Json;
import dev.hailuo.server.http.MediaRoutes;
import dev.hailuo.server.http.RateLimiter;
import dev.hailuo.server.http.RequestIds;
import dev.hailuo.server.http.Responses;
import dev.hailuo.server.http.UpstreamCallbacks;
import dev.hailuo.server.http.rivya.RivyaEvents;
import dev.hailuo.server.http.rivya.RivyaRoutes;
import dev.hailuo.server.limits.Buckets;
import dev.hailuo.server.limits.PostgresBuckets;
import dev.hailuo.server.http.rivya.RivyaWebhooks;
import dev.hailuo.server.notify.Notifier;
import dev.hailuo.server.notify.WebhookUrls;
import dev.hailuo.server.store.CallbackKeys;
import dev.hailuo.server.store.JdbcOutbox;
import dev.hailuo.server.store.JdbcWebhookStore;
import dev.hailuo.core.notify.DeliveryRules;
import dev.hailuo.core.notify.DeliverySchedule;
import dev.hailuo.core.notify.WebhookSecrets;
import dev.hailuo.core.notify.Webhooks;
import dev.hailuo.server.media.Mp4Probe;
import dev.hailuo.server.media.SandboxRenderer;
import dev.hailuo.server.store.Database;
import dev.hailuo.server.fetch.FetchPolicy;
import dev.hailuo.server.fetch.SafeFetcher;
import dev.hailuo.server.files.FileIntake;
import dev.hailuo.server.files.FileLinks;
import dev.hailuo.server.http.rivya.RivyaFiles;
import dev.hailuo.server.http.market.MarketTasks;
import dev.hailuo.server.http.market.MarketUploads;
import dev.hailuo.server.http.market.MarketCallbacks;
import dev.hailuo.server.http.market.MarketViews;
import dev.hailuo.server.http.runs.RunsRoutes;
import dev.hailuo.server.blob.DownloadLinks;
import dev.hailuo.server.fetch.EndpointUrls;
import dev.hailuo.core.files.UploadPolicy;
import dev.hailuo.server.store.JdbcAccountStore;
import dev.hailuo.server.store.JdbcFileStore;
import dev.hailuo.server.store.JdbcIdempotencyStore;
import dev.hailuo.server.store.JdbcTaskStore;
import dev.hailuo.server.store.Settings;
import dev.hailuo.server.config.ProviderConfig;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamFactory;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.UpstreamSetup;
import dev.hailuo.server.upstream.Upstreams;
import dev.hailuo.server.upstream.sandbox.SandboxProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole gateway wired by hand (no container): stores, core services, engines, workers and
 * the HTTP server. Tests start it exactly as {@code serve} does, on a random port.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final Database db;
    private final ApiServer http;
    private final Dispatcher dispatcher;
    private final Sweeper sweeper;
    private final ExecutorService renderPool;
    private final SafeFetcher fetcher;
    private final Notifier notifier;
    private final SafeFetcher endpointFetcher;
    private final String adminToken;
    private final Services services;
    private final BlobStore blobs;

    private Gateway(Database db, ApiServer http, Dispatcher dispatcher, Sweeper sweeper, ExecutorService renderPool,
                    SafeFetcher fetcher, Notifier notifier, SafeFetcher endpointFetcher, String adminToken, Services services,
                    BlobStore blobs) {
        this.blobs = blobs;
        this.fetcher = fetcher;
        this.notifier = notifier;
        this.endpointFetcher = endpointFetcher;
        this.db = db;
        this.http = http;
        this.dispatcher = dispatcher;
        this.sweeper = sweeper;
        this.renderPool = renderPool;
        this.adminToken = adminToken;
        this.services = services;
    }

    /** The core services over one database, shared by {@code serve} and the CLI commands. */
    public record Services(Database db, ObjectMapper json, Catalog catalog, Clock clock, SecureRandom random,
                           IdGenerator ids, Money money,
                           JdbcAccountStore accountStore, JdbcTaskStore taskStore, JdbcIdempotencyStore idempotencyStore,
                           JdbcFileStore fileStore,
                           Accounts accounts, Settings settings) {

        public static Services open(GatewayConfig config, Clock clock) {
            Database db = Database.open(config.databaseUrl(), config.databaseUser(), config.databasePassword(),
                    config.databasePoolSize());
            SecureRandom random = new SecureRandom();
            ObjectMapper json = Json.mapper();
            IdGenerator ids = new IdGenerator(clock, random);
            Money money = new Money(ids, clock);
            JdbcAccountStore accountStore = new JdbcAccountStore(db, clock);
            Accounts accounts = new Accounts(accountStore, new ApiKeySecrets(random), money, ids, clock);
            return new Services(db, json, Catalog.load(), clock, random, ids, money, accountStore, new JdbcTaskStore(db, json),
                    new JdbcIdempotencyStore(db), new JdbcFileStore(db), accounts, new Settings(db));
        }
    }

    public static Gateway start(GatewayConfig config, Clock clock, PrintStream console) throws IOException {
        return start(config, ProviderConfig.fromEnvironment(Map.of()), clock, console);
    }

    public static Gateway start(GatewayConfig config, ProviderConfig providers, Clock clock, PrintStream console) throws IOException {
        Services s = Services.open(config, clock);
        try {
            return start(config, providers, s, console);
        } catch (RuntimeException | IOException e) {
            s.db().close();
            throw e;
        }
    }

    private static Gateway start(GatewayConfig config, ProviderConfig providers, Services s, PrintStream console)
            throws IOException {
        if (!config.embedded() && config.adminToken() == null) {
            // A generated token would differ from node to node: admin calls would fail on every node but one.
            throw new dev.hailuo.server.config.ConfigException(
                    "HAILUO_ADMIN_TOKEN must be set with PostgreSQL, the same on every node");
        }
        FirstStart firstStart = new FirstStart(config, s, console);
        String adminToken = firstStart.adminToken();
        if (config.embedded()) {
            firstStart.demoAccount();
            // One process owns an embedded database: whatever a previous process held is free.
            // (Nodes sharing PostgreSQL never do this: a starting node takes only leases that ran out.)
            int released = s.taskStore().releaseAllLeases();
            if (released > 0) {
                log.info("released {} task leases left by the previous run", released);
            }
        }
        JdbcOutbox outbox = new JdbcOutbox(s.db());
        JdbcWebhookStore webhookStore = new JdbcWebhookStore(s.db());
        if (config.embedded()) {
            int released = outbox.releaseAllLeases();
            if (released > 0) {
                log.info("released {} delivery leases left by the previous run", released);
            }
        }

        BlobStore blobs = config.s3() != null
                ? S3BlobStore.open(config.s3(), config.dataDir().resolve("tmp"))
                : new LocalBlobStore(config.dataDir().resolve("media"));
        if (config.s3() == null && !config.embedded()) {
            log.warn("media are stored on this node's disk ({}); with more than one node set HAILUO_S3_BUCKET so every node "
                    + "can serve every file", config.dataDir().resolve("media"));
        }
        // Shared by the nodes over PostgreSQL; one node keeps them in memory.
        Buckets buckets = config.embedded() ? Buckets.inMemory() : new PostgresBuckets(s.db().dataSource());
        byte[] mediaSecret = secret(s, "media_signing_key");

        ExecutorService renderPool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()),
                Thread.ofPlatform().name("sandbox-render-", 0).daemon(true).factory());
        SandboxProvider sandbox = new SandboxProvider(new SandboxRenderer(), blobs, config.dataDir().resolve("sandbox"),
                config.sandboxLatency(), config.sandboxSize(), s.clock(), renderPool);
        ResultStore results = new ResultStore(blobs, new Mp4Probe(), config.dataDir().resolve("tmp"));
        // With HAILUO_PORT=0 the base URL is known only once the server is bound: links read it late.
        AtomicReference<String> baseUrl = new AtomicReference<>();
        MediaLinks links = new MediaLinks(mediaSecret, s.clock(), config.mediaUrlTtl(), baseUrl::get);
        // Reference images go upstream as our URLs only when the gateway is reachable from outside.
        ImageInputs imageInputs = new ImageInputs(blobs, Optional.ofNullable(config.publicBaseUrl()).map(u -> links));
        Upstreams upstreams = UpstreamSetup.build(providers, sandbox, new UpstreamFactory(s.clock(), providers.breakerOpen(),
                        config.embedded() ? Buckets.inMemory(s.clock()) : buckets),
                new UpstreamHttp(s.json(), UpstreamHttp.REQUEST_TIMEOUT), imageInputs, s.catalog(), s.clock(),
                // Push callbacks need a URL MiniMax can reach; without one, polling alone drives its tasks.
                Optional.ofNullable(config.publicBaseUrl()).map(u -> URI.create(u + UpstreamCallbacks.MINIMAX_PATH)));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PickOrder pickOrder = new PickOrder();
        TaskRunner runner = new TaskRunner(s.taskStore(), upstreams, results, s.money(), PollSchedule.DEFAULT, s.clock(), metrics,
                pickOrder);
        String nodeId = s.ids().next("node_");
        Dispatcher dispatcher = new Dispatcher(s.taskStore(), runner, pickOrder, upstreams::pollRoom,
                UpstreamFactory.inFlightSync(upstreams, s.taskStore()),
                s.clock(), nodeId, config.workers(), config.lease());
        for (var upstream : upstreams.all()) {
            io.micrometer.core.instrument.Gauge.builder("hailuo_provider_in_flight", upstream, u -> u.inFlight())
                    .description("Tasks submitting to, processing at or finalizing from this provider (all nodes)")
                    .tag("provider", upstream.name()).register(metrics);
        }

        Idempotency idempotency = new Idempotency(s.idempotencyStore(), s.clock());
        FileLinks fileLinks = new FileLinks(links, baseUrl::get);
        FetchPolicy fetchPolicy = FetchPolicy.defaults().withAllowPrivateNetwork(config.allowPrivateNetwork());
        fetchPolicy.startupWarning().ifPresent(log::warn);
        SafeFetcher fetcher = new SafeFetcher(fetchPolicy);
        FileIntake intake = new FileIntake(new UploadPolicy(), s.fileStore(), blobs, fileLinks, fetcher, s.ids(), s.clock(),
                config.uploadRetention(), config.dataDir().resolve("tmp"));
        DurationTokens durationTokens = new DurationTokens(secret(s, "duration_token_key"));
        References references = new References(s.fileStore(), intake, durationTokens, s.clock());
        EndpointUrls endpointUrls = new EndpointUrls(FetchPolicy.endpoints().withAllowPrivateNetwork(config.allowPrivateNetwork()));
        Generations generations = new Generations(new GenerationValidator(), references, endpointUrls, s.taskStore(), idempotency,
                s.money(), s.ids(), s.clock(), config.taskDeadline(), dispatcher::wake);

        Responses responses = new Responses(s.json());
        Bodies bodies = new Bodies(s.json(), config.maxBodyBytes());
        Guard guard = new Guard(s.accounts(), new RateLimiter(buckets));

        // Notifications: their own fetcher (endpoint URL rules, own connection pool) and workers,
        // so deliveries never compete with reference downloads or task dispatch.
        SafeFetcher endpointFetcher = new SafeFetcher(FetchPolicy.endpoints().withAllowPrivateNetwork(config.allowPrivateNetwork()));
        CallbackKeys callbackKeys = new CallbackKeys(s.db());
        RivyaEvents rivyaEvents = new RivyaEvents(s.catalog(), links, responses);
        MarketViews marketViews = new MarketViews(s.catalog(), links, responses);
        Notifier notifier = Notifier.create(outbox, webhookStore, s.taskStore(), callbackKeys, rivyaEvents,
                new MarketCallbacks(marketViews, responses),
                endpointFetcher, new DeliveryRules(new DeliverySchedule(config.deliverySchedule(), s.random())), s.ids(), s.clock(),
                nodeId, config.deliveryWorkers(), config.deliveryPerReceiver(), metrics);
        Webhooks webhooks = new Webhooks(webhookStore, idempotency, new WebhookUrls(endpointUrls, endpointFetcher),
                new WebhookSecrets(s.random()), s.ids(), s.clock(), notifier::wake);
        ApiServer http;
        try {
            MediaRoutes media = new MediaRoutes(blobs, links);
            RivyaRoutes rivya = new RivyaRoutes(guard, bodies, responses, s.catalog(), generations, idempotency,
                    s.accounts(), links, media);
            RivyaFiles rivyaFiles = new RivyaFiles(guard, responses, s.catalog(), intake, s.fileStore(), fileLinks,
                    durationTokens, idempotency);
            MarketUploads marketUploads = new MarketUploads(guard, bodies, responses, s.json(), intake, s.fileStore(), blobs,
                    fileLinks, idempotency, config.dataDir().resolve("tmp"), new UploadPolicy().largestUpload());
            MarketTasks marketTasks = new MarketTasks(guard, bodies, responses, s.catalog(), generations, idempotency, s.accounts(),
                    new DownloadLinks(links, fileLinks, s.taskStore(), s.fileStore(), s.clock()),
                    marketViews);
            RunsRoutes runs = new RunsRoutes(guard, bodies, responses, s.json(), s.catalog(), generations, idempotency, links);
            UpstreamCallbacks callbacks = new UpstreamCallbacks(s.taskStore(), s.json(), responses, s.clock(), dispatcher::wake);
            RivyaWebhooks rivyaWebhooks = new RivyaWebhooks(guard, bodies, responses, idempotency, webhooks, rivyaEvents, s.json(),
                    s.clock());
            AdminRoutes admin = new AdminRoutes(adminToken, s.accounts(), s.accountStore(), bodies, responses, callbackKeys,
                    s.random(), s.clock());
            HealthRoutes health = new HealthRoutes(responses, () -> ping(s.db()),
                    () -> !config.dispatchEnabled() || dispatcher.isRunning(), metrics::scrape);
            http = new ApiServer(config.port(), config.maxBodyBytes(), new UploadPolicy().largestUpload(),
                    config.dataDir().resolve("tmp"), new RequestIds(s.random()), responses,
                    List.of(health::routing, rivya::routing, rivyaFiles::routing, rivyaWebhooks::routing, marketUploads::routing,
                            marketTasks::routing, runs::routing, callbacks::routing, media::routing, admin::routing)).start();
            baseUrl.set(config.baseUrl(http.port()));
        } catch (RuntimeException e) {
            renderPool.shutdownNow();
            fetcher.close();
            endpointFetcher.close();
            if (blobs instanceof S3BlobStore s3) {
                s3.close();
            }
            throw e;
        }
        if (config.dispatchEnabled()) {
            dispatcher.start();
        }
        notifier.start();
        Sweeper sweeper = new Sweeper(s.idempotencyStore(), s.fileStore(), s.taskStore(), blobs, config.resultRetention(),
                s.clock());
        sweeper.start();
        log.info("gateway listening on port {} (data dir {}, database {}, media {})", http.port(), config.dataDir(),
                config.embedded() ? "SQLite" : "PostgreSQL", config.s3() == null ? "on local disk" : "in S3 bucket " + config.s3().bucket());
        return new Gateway(s.db(), http, dispatcher, sweeper, renderPool, fetcher, notifier, endpointFetcher, adminToken, s, blobs);
    }

    /** A 32-byte key kept in the settings table, made on first use: every node and restart signs alike. */
    private static byte[] secret(Services s, String name) {
        return Base64.getDecoder().decode(s.settings().getOrCreate(name, () -> {
            byte[] key = new byte[32];
            s.random().nextBytes(key);
            return Base64.getEncoder().encodeToString(key);
        }));
    }

    private static boolean ping(Database db) {
        try {
            return db.read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public int port() {
        return http.port();
    }

    public String adminToken() {
        return adminToken;
    }

    public Services services() {
        return services;
    }

    /** Makes the dispatcher look for due work now instead of at its next tick (after a test moved the clock). */
    public void wakeDispatcher() {
        dispatcher.wake();
    }

    @Override
    public void close() {
        http.close();
        sweeper.close();
        dispatcher.close();
        notifier.close();
        renderPool.shutdownNow();
        fetcher.close();
        endpointFetcher.close();
        if (blobs instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("closing the blob store failed", e);
            }
        }
        db.close();
    }
}
