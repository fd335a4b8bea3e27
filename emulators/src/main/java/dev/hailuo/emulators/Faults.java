package dev.hailuo.emulators;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What an emulator does wrong on purpose, settable per run (tests set it directly; a running
 * emulator takes {@code POST /_emulator/faults} with the JSON of {@link Plan}). One plan per
 * emulator; the provider-specific meaning of each fault is the emulator's business.
 */
public final class Faults {

    /**
     * @param latencyMillis       added to every answer
     * @param serverErrors        the next N API calls answer 5xx
     * @param timeouts            the next N API calls never answer (the connection is held until the client gives up)
     * @param resets              the next N API calls close the connection without answering
     * @param malformed           the next N API calls answer invalid JSON
     * @param requestsPerMinute   above this, calls are refused with the provider's rate-limit answer (0 = no limit)
     * @param authFailure         every call is refused as unauthenticated
     * @param balanceEmpty        submissions are refused for an empty account balance
     * @param moderationOnSubmit  submissions are refused by content moderation
     * @param moderationAtEnd     tasks fail by moderation when they finish
     * @param invalidParams       submissions are refused as invalid parameters
     * @param flapping            while running, status alternates between running and queued
     * @param neverFinish         tasks stay running forever
     * @param renderMillis        how long a task runs before it is done
     * @param downloadTtlMillis   how long a result download URL works (0 = forever)
     */
    public record Plan(long latencyMillis, int serverErrors, int timeouts, int resets, int malformed, int requestsPerMinute,
                       boolean authFailure, boolean balanceEmpty, boolean moderationOnSubmit, boolean moderationAtEnd,
                       boolean invalidParams, boolean flapping, boolean neverFinish, long renderMillis, long downloadTtlMillis) {

        public static Plan healthy() {
            return new Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, 500, 0);
        }
    }

    /** How the next API call should misbehave, decided once per call. */
    public enum Next { NORMAL, SERVER_ERROR, TIMEOUT, RESET, MALFORMED }

    private final AtomicReference<Plan> plan = new AtomicReference<>(Plan.healthy());
    private final AtomicInteger serverErrors = new AtomicInteger();
    private final AtomicInteger timeouts = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger malformed = new AtomicInteger();

    public void set(Plan next) {
        plan.set(next);
        serverErrors.set(next.serverErrors());
        timeouts.set(next.timeouts());
        resets.set(next.resets());
        malformed.set(next.malformed());
    }

    public Plan plan() {
        return plan.get();
    }

    public Duration latency() {
        return Duration.ofMillis(plan.get().latencyMillis());
    }

    /** Consumes one of the counted faults, in a fixed order, or says the call is normal. */
    public Next next() {
        if (take(timeouts)) {
            return Next.TIMEOUT;
        }
        if (take(resets)) {
            return Next.RESET;
        }
        if (take(serverErrors)) {
            return Next.SERVER_ERROR;
        }
        if (take(malformed)) {
            return Next.MALFORMED;
        }
        return Next.NORMAL;
    }

    private static boolean take(AtomicInteger counter) {
        return counter.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }
}
