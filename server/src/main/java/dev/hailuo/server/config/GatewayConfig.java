package dev.hailuo.server.config;

import dev.hailuo.core.notify.DeliverySchedule;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the gateway reads from its environment, validated once at start. Every default is
 * a named constant; every refusal names the variable, the value and what was expected.
 */
public record GatewayConfig(
        int port,
        Path dataDir,
        String databaseUrl,
        String adminToken,
        String publicBaseUrl,
        SandboxSize sandboxSize,
        Duration sandboxLatency,
        int workers,
        Duration taskDeadline,
        Duration mediaUrlTtl,
        long maxBodyBytes,
        boolean dispatchEnabled,
        Duration uploadRetention,
        Duration resultRetention,
        boolean allowPrivateNetwork,
        String databaseUser,
        String databasePassword,
        Duration lease,
        S3 s3,
        int databasePoolSize,
        List<Duration> deliverySchedule,
        int deliveryWorkers,
        int deliveryPerReceiver) {

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_DATA_DIR = "./data";
    public static final Duration DEFAULT_SANDBOX_LATENCY = Duration.ofSeconds(2);
    public static final int DEFAULT_WORKERS = 16;
    public static final Duration DEFAULT_TASK_DEADLINE = Duration.ofMinutes(30);
    public static final Duration DEFAULT_MEDIA_URL_TTL = Duration.ofHours(24);
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_UPLOAD_RETENTION = Duration.ofDays(3);
    public static final Duration DEFAULT_RESULT_RETENTION = Duration.ofDays(14);
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** Connections per node to PostgreSQL (SQLite's pool is fixed). */
    public static final int DEFAULT_DATABASE_POOL_SIZE = dev.hailuo.server.store.Database.POSTGRES_POOL_SIZE;
    public static final String DEFAULT_S3_REGION = "us-east-1";

    /**
     * Where media go when several nodes share them: an S3 bucket (AWS, or any S3-compatible store
     * at {@code endpoint}). Credentials come from the usual AWS variables, never from here.
     *
     * @param endpoint null for AWS itself
     * @param prefix   prepended to every key ("" for none), so one bucket can serve several gateways
     */
    public record S3(URI endpoint, String bucket, String region, String prefix, boolean pathStyle) {
    }
    /** Waits between delivery attempts: the Standard Webhooks example, ten attempts over about three days. */
    public static final List<Duration> DEFAULT_DELIVERY_SCHEDULE = DeliverySchedule.STANDARD;
    public static final int DEFAULT_DELIVERY_WORKERS = 32;
    public static final int DEFAULT_DELIVERY_PER_RECEIVER = 4;
    static final int MAX_SCHEDULE_STEPS = 20;
    static final Duration MAX_SCHEDULE_WAIT = Duration.ofDays(7);
    private static final Pattern WAIT = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

    /** How big the sandbox renders: a fast preview, or the model's real output size. */
    public enum SandboxSize { PREVIEW, NATIVE }

    public static GatewayConfig fromEnvironment(Map<String, String> env) {
        int port = intVar(env, "HAILUO_PORT", DEFAULT_PORT, 0, 65535);
        Path dataDir = Path.of(env.getOrDefault("HAILUO_DATA_DIR", DEFAULT_DATA_DIR)).toAbsolutePath().normalize();
        String databaseUrl = env.getOrDefault("HAILUO_DATABASE_URL", "jdbc:sqlite:" + dataDir.resolve("hailuo.db"));
        if (!databaseUrl.startsWith("jdbc:sqlite:") && !databaseUrl.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("HAILUO_DATABASE_URL must start with jdbc:sqlite: or jdbc:postgresql:, got \""
                    + databaseUrl + "\"");
        }
        String adminToken = env.get("HAILUO_ADMIN_TOKEN");
        if (adminToken != null && adminToken.length() < 16) {
            throw new ConfigException("HAILUO_ADMIN_TOKEN must be at least 16 characters, got " + adminToken.length());
        }
        String publicBaseUrl = env.get("HAILUO_PUBLIC_BASE_URL");
        if (publicBaseUrl != null) {
            publicBaseUrl = checkBaseUrl(publicBaseUrl);
        }
        String size = env.getOrDefault("HAILUO_SANDBOX_SIZE", "preview").toUpperCase(Locale.ROOT);
        SandboxSize sandboxSize;
        try {
            sandboxSize = SandboxSize.valueOf(size);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("HAILUO_SANDBOX_SIZE must be preview or native, got \"" + env.get("HAILUO_SANDBOX_SIZE") + "\"");
        }
        Duration latency = Duration.ofMillis(intVar(env, "HAILUO_SANDBOX_LATENCY_MS",
                (int) DEFAULT_SANDBOX_LATENCY.toMillis(), 0, 3_600_000));
        int workers = intVar(env, "HAILUO_WORKERS", DEFAULT_WORKERS, 1, 1024);
        Duration deadline = Duration.ofSeconds(intVar(env, "HAILUO_TASK_DEADLINE_SECONDS",
                (int) DEFAULT_TASK_DEADLINE.toSeconds(), 10, 7 * 24 * 3600));
        Duration mediaTtl = Duration.ofSeconds(intVar(env, "HAILUO_MEDIA_URL_TTL_SECONDS",
                (int) DEFAULT_MEDIA_URL_TTL.toSeconds(), 60, 30 * 24 * 3600));
        long maxBody = intVar(env, "HAILUO_MAX_BODY_BYTES", (int) DEFAULT_MAX_BODY_BYTES, 1024, 64 * 1024 * 1024);
        boolean dispatch = boolVar(env, "HAILUO_DISPATCH_ENABLED", true);
        Duration uploads = Duration.ofHours(intVar(env, "HAILUO_UPLOAD_RETENTION_HOURS",
                (int) DEFAULT_UPLOAD_RETENTION.toHours(), 1, 24 * 365));
        Duration results = Duration.ofHours(intVar(env, "HAILUO_RESULT_RETENTION_HOURS",
                (int) DEFAULT_RESULT_RETENTION.toHours(), 1, 24 * 365 * 10));
        boolean privateNetwork = boolVar(env, "HAILUO_ALLOW_PRIVATE_NETWORK", false);
        List<Duration> schedule = env.containsKey("HAILUO_DELIVERY_SCHEDULE")
                ? schedule(env.get("HAILUO_DELIVERY_SCHEDULE")) : DEFAULT_DELIVERY_SCHEDULE;
        int deliveryWorkers = intVar(env, "HAILUO_DELIVERY_WORKERS", DEFAULT_DELIVERY_WORKERS, 1, 1024);
        int perReceiver = intVar(env, "HAILUO_DELIVERY_PER_RECEIVER", DEFAULT_DELIVERY_PER_RECEIVER, 1, 64);
        Duration lease = Duration.ofSeconds(intVar(env, "HAILUO_LEASE_SECONDS", (int) DEFAULT_LEASE.toSeconds(), 3, 3600));
        return new GatewayConfig(port, dataDir, databaseUrl, adminToken, publicBaseUrl, sandboxSize, latency, workers,
                deadline, mediaTtl, maxBody, dispatch, uploads, results, privateNetwork, blankToNull(env.get("HAILUO_DATABASE_USER")),
                blankToNull(env.get("HAILUO_DATABASE_PASSWORD")), lease, s3(env),
                intVar(env, "HAILUO_DATABASE_POOL_SIZE", DEFAULT_DATABASE_POOL_SIZE, 2, 500), schedule, deliveryWorkers, perReceiver);
    }

    private static S3 s3(Map<String, String> env) {
        String bucket = blankToNull(env.get("HAILUO_S3_BUCKET"));
        String endpoint = blankToNull(env.get("HAILUO_S3_ENDPOINT"));
        if (bucket == null) {
            for (String name : new String[] {"HAILUO_S3_ENDPOINT", "HAILUO_S3_REGION", "HAILUO_S3_PREFIX", "HAILUO_S3_PATH_STYLE"}) {
                if (blankToNull(env.get(name)) != null) {
                    throw new ConfigException(name + " is set but HAILUO_S3_BUCKET is not: set the bucket to store media in S3");
                }
            }
            return null;
        }
        URI endpointUri = null;
        if (endpoint != null) {
            try {
                endpointUri = new URI(endpoint);
            } catch (java.net.URISyntaxException e) {
                throw new ConfigException("HAILUO_S3_ENDPOINT is not a URL: \"" + endpoint + "\" (" + e.getReason() + ")");
            }
            if (!("http".equals(endpointUri.getScheme()) || "https".equals(endpointUri.getScheme())) || endpointUri.getHost() == null) {
                throw new ConfigException("HAILUO_S3_ENDPOINT must be an http(s) URL with a host, got \"" + endpoint + "\"");
            }
        }
        String prefix = env.getOrDefault("HAILUO_S3_PREFIX", "").trim();
        if (!prefix.isEmpty() && !prefix.matches("[A-Za-z0-9_\\-]+(/[A-Za-z0-9_\\-]+)*/?")) {
            throw new ConfigException("HAILUO_S3_PREFIX must be letters, digits, '-', '_' and '/', got \"" + prefix + "\"");
        }
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        // S3-compatible stores (MinIO, s3proxy, Ceph) mostly want path-style addressing; AWS wants virtual hosts.
        boolean pathStyle = boolVar(env, "HAILUO_S3_PATH_STYLE", endpointUri != null);
        return new S3(endpointUri, bucket, env.getOrDefault("HAILUO_S3_REGION", DEFAULT_S3_REGION).trim(), prefix, pathStyle);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** Never prints the admin token or the database password (they are in the record, not in logs). */
    @Override
    public String toString() {
        return "GatewayConfig[port=" + port + ", dataDir=" + dataDir + ", database=" + (embedded() ? "SQLite" : "PostgreSQL")
                + ", s3=" + (s3 == null ? "off" : s3.bucket()) + ", workers=" + workers + ", lease=" + lease + "]";
    }

    public boolean embedded() {
        return databaseUrl.startsWith("jdbc:sqlite:");
    }

    /** The base of media URLs: the configured public URL, or this node on localhost. */
    public String baseUrl(int boundPort) {
        return publicBaseUrl != null ? publicBaseUrl : "http://localhost:" + boundPort;
    }

    private static String checkBaseUrl(String value) {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getQuery() != null || uri.getFragment() != null) {
                throw new ConfigException("HAILUO_PUBLIC_BASE_URL must be an http(s) URL with a host and no query, got \""
                        + value + "\"");
            }
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException("HAILUO_PUBLIC_BASE_URL is not a URL: \"" + value + "\" (" + e.getReason() + ")");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    /** "5s,5m,30m,2h": the waits before the second, third, ... attempt of a delivery. */
    static List<Duration> schedule(String raw) {
        String expected = "a comma-separated list of waits such as \"5s,5m,30m,2h\" (units ms, s, m, h), 1 to "
                + MAX_SCHEDULE_STEPS + " of them, each above 0 and at most " + MAX_SCHEDULE_WAIT.toDays() + " days";
        List<Duration> waits = new ArrayList<>();
        for (String part : raw.split(",", -1)) {
            Matcher m = WAIT.matcher(part.trim());
            if (!m.matches()) {
                throw new ConfigException("HAILUO_DELIVERY_SCHEDULE must be " + expected + ", got \"" + raw + "\"");
            }
            long n = Long.parseLong(m.group(1));
            Duration wait = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
            if (wait.isZero() || wait.compareTo(MAX_SCHEDULE_WAIT) > 0) {
                throw new ConfigException("HAILUO_DELIVERY_SCHEDULE must be " + expected + ", got \"" + raw + "\"");
            }
            waits.add(wait);
        }
        if (waits.size() > MAX_SCHEDULE_STEPS) {
            throw new ConfigException("HAILUO_DELIVERY_SCHEDULE must be " + expected + ", got " + waits.size() + " waits");
        }
        return List.copyOf(waits);
    }

    private static int intVar(Map<String, String> env, String name, int defaultValue, int min, int max) {
        String raw = env.get(name);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got \"" + raw + "\"");
        }
    }

    private static boolean boolVar(Map<String, String> env, String name, boolean defaultValue) {
        String raw = env.get(name);
        if (raw == null) {
            return defaultValue;
        }
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConfigException(name + " must be true or false, got \"" + raw + "\"");
        };
    }
}
