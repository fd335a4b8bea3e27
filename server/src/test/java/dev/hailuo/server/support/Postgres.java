package dev.hailuo.server.support;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL the tests run against (127.0.0.1:5432, database {@code test}, trust auth, as
 * on the CI machine; {@code HAILUO_TEST_POSTGRES_URL} overrides it). Every test run gets its own
 * schema, dropped afterwards, so runs never see each other's rows. Where no PostgreSQL answers,
 * {@link #requireAvailable} skips the test with the reason instead of letting it pass silently.
 */
public final class Postgres {
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static final String URL = System.getenv().getOrDefault("HAILUO_TEST_POSTGRES_URL", DEFAULT_URL);
    private static volatile String unavailable; // null until checked; "" when reachable

    private Postgres() {
    }

    /** Skips the calling test (a JUnit assumption) when PostgreSQL cannot be reached. */
    public static void requireAvailable() {
        String reason = check();
        Assumptions.assumeTrue(reason.isEmpty(), () -> "PostgreSQL tests skipped: no PostgreSQL at " + URL + " (" + reason
                + "). Start it (.ci/run does) or set HAILUO_TEST_POSTGRES_URL.");
    }

    /** A fresh, empty schema; its URL makes it the connection's default schema (so Flyway migrates into it). */
    public static Schema newSchema() {
        requireAvailable();
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        execute("CREATE SCHEMA " + name);
        return new Schema(name, URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + name);
    }

    /** One test's schema: {@link #url} for the gateway, dropped with everything in it on close. */
    public record Schema(String name, String url) implements AutoCloseable {
        @Override
        public void close() {
            execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        }
    }

    private static String check() {
        String known = unavailable;
        if (known != null) {
            return known;
        }
        DriverManager.setLoginTimeout(3);
        try (Connection c = DriverManager.getConnection(URL)) {
            c.isValid(3);
            unavailable = "";
        } catch (SQLException e) {
            unavailable = String.valueOf(e.getMessage());
        }
        return unavailable;
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL: " + sql + " failed", e);
        }
    }
}
