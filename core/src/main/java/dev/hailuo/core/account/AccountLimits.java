package dev.hailuo.core.account;

/**
 * Per-account request limits (PRODUCT.md section 6). A null field in storage means "the default".
 */
public record AccountLimits(int createsPer10Seconds, int readsPerSecond, int maxTasksInFlight) {
    public static final int DEFAULT_CREATES_PER_10_SECONDS = 20;
    public static final int DEFAULT_READS_PER_SECOND = 10;
    public static final int DEFAULT_MAX_TASKS_IN_FLIGHT = 100;

    public static final AccountLimits DEFAULTS = new AccountLimits(
            DEFAULT_CREATES_PER_10_SECONDS, DEFAULT_READS_PER_SECOND, DEFAULT_MAX_TASKS_IN_FLIGHT);

    public AccountLimits {
        if (createsPer10Seconds < 1 || readsPerSecond < 1 || maxTasksInFlight < 1) {
            throw new IllegalArgumentException("limits must be at least 1, got creates/10s=" + createsPer10Seconds
                    + " reads/s=" + readsPerSecond + " in-flight=" + maxTasksInFlight);
        }
    }
}
