package dev.hailuo.server.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        GatewayConfig config = GatewayConfig.fromEnvironment(Map.of());
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dataDir().toString()).endsWith("data");
        assertThat(config.databaseUrl()).isEqualTo("jdbc:sqlite:" + config.dataDir().resolve("hailuo.db"));
        assertThat(config.embedded()).isTrue();
        assertThat(config.adminToken()).isNull();
        assertThat(config.baseUrl(8080)).isEqualTo("http://localhost:8080");
        assertThat(config.sandboxSize()).isEqualTo(GatewayConfig.SandboxSize.PREVIEW);
    }

    @Test
    void badValuesStopStartUpWithOnePreciseMessage() {
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_PORT", "eighty")))
                .isInstanceOf(ConfigException.class).hasMessage("HAILUO_PORT must be a whole number, got \"eighty\"");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_PORT", "70000")))
                .hasMessage("HAILUO_PORT must be between 0 and 65535, got 70000");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_DATABASE_URL", "jdbc:mysql://x")))
                .hasMessageContaining("HAILUO_DATABASE_URL must start with jdbc:sqlite: or jdbc:postgresql:");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_ADMIN_TOKEN", "short")))
                .hasMessage("HAILUO_ADMIN_TOKEN must be at least 16 characters, got 5");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_PUBLIC_BASE_URL", "ftp://x")))
                .hasMessageContaining("HAILUO_PUBLIC_BASE_URL must be an http(s) URL");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_SANDBOX_SIZE", "huge")))
                .hasMessage("HAILUO_SANDBOX_SIZE must be preview or native, got \"huge\"");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_DISPATCH_ENABLED", "maybe")))
                .hasMessage("HAILUO_DISPATCH_ENABLED must be true or false, got \"maybe\"");
    }

    @Test
    void s3IsChosenByItsBucketAndNeverHalfConfigured() {
        assertThat(GatewayConfig.fromEnvironment(Map.of()).s3()).isNull();
        GatewayConfig.S3 minio = GatewayConfig.fromEnvironment(Map.of("HAILUO_S3_BUCKET", "media",
                "HAILUO_S3_ENDPOINT", "http://minio:9000", "HAILUO_S3_PREFIX", "gw1")).s3();
        assertThat(minio).isEqualTo(new GatewayConfig.S3(java.net.URI.create("http://minio:9000"), "media", "us-east-1", "gw1/", true));
        GatewayConfig.S3 aws = GatewayConfig.fromEnvironment(Map.of("HAILUO_S3_BUCKET", "media", "HAILUO_S3_REGION", "eu-west-1")).s3();
        assertThat(aws).isEqualTo(new GatewayConfig.S3(null, "media", "eu-west-1", "", false));
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_S3_ENDPOINT", "http://minio:9000")))
                .hasMessage("HAILUO_S3_ENDPOINT is set but HAILUO_S3_BUCKET is not: set the bucket to store media in S3");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_S3_BUCKET", "m", "HAILUO_S3_ENDPOINT", "minio:9000")))
                .hasMessageContaining("HAILUO_S3_ENDPOINT must be an http(s) URL");
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_S3_BUCKET", "m", "HAILUO_S3_PREFIX", "../x")))
                .hasMessageContaining("HAILUO_S3_PREFIX must be");
    }

    @Test
    void leasesDefaultToThirtySecondsAndSecretsStayOutOfToString() {
        assertThat(GatewayConfig.fromEnvironment(Map.of()).lease()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_LEASE_SECONDS", "1")))
                .hasMessage("HAILUO_LEASE_SECONDS must be between 3 and 3600, got 1");
        GatewayConfig config = GatewayConfig.fromEnvironment(Map.of("HAILUO_DATABASE_URL", "jdbc:postgresql://db/hailuo",
                "HAILUO_DATABASE_PASSWORD", "pg-secret-value", "HAILUO_ADMIN_TOKEN", "admin-secret-value-123"));
        assertThat(config.databasePassword()).isEqualTo("pg-secret-value");
        assertThat(config.toString()).doesNotContain("pg-secret-value").doesNotContain("admin-secret-value-123");
    }

    @Test
    void theDeliveryScheduleIsTheStandardOneUnlessConfigured() {
        GatewayConfig defaults = GatewayConfig.fromEnvironment(Map.of());
        assertThat(defaults.deliverySchedule()).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14), Duration.ofHours(20),
                Duration.ofHours(24));
        assertThat(defaults.deliveryWorkers()).isEqualTo(32);
        assertThat(defaults.deliveryPerReceiver()).isEqualTo(4);
        GatewayConfig custom = GatewayConfig.fromEnvironment(Map.of("HAILUO_DELIVERY_SCHEDULE", "250ms, 2s,1m,3h",
                "HAILUO_DELIVERY_WORKERS", "8", "HAILUO_DELIVERY_PER_RECEIVER", "1"));
        assertThat(custom.deliverySchedule()).containsExactly(Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofMinutes(1),
                Duration.ofHours(3));
        assertThat(custom.deliveryWorkers()).isEqualTo(8);
        assertThat(custom.deliveryPerReceiver()).isEqualTo(1);
    }

    @Test
    void aBadDeliveryScheduleStopsStartUp() {
        for (String bad : new String[] {"", "5", "5x", "0s", "-1s", "5s,,5m", "1s ;2s", "8d", "169h", "5s,".repeat(20) + "5s"}) {
            assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_DELIVERY_SCHEDULE", bad)))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageStartingWith("HAILUO_DELIVERY_SCHEDULE must be");
        }
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("HAILUO_DELIVERY_PER_RECEIVER", "0")))
                .hasMessage("HAILUO_DELIVERY_PER_RECEIVER must be between 1 and 64, got 0");
    }

    @Test
    void publicBaseUrlLosesItsTrailingSlash() {
        assertThat(GatewayConfig.fromEnvironment(Map.of("HAILUO_PUBLIC_BASE_URL", "https://media.example.com/"))
                .baseUrl(1)).isEqualTo("https://media.example.com");
    }
}
