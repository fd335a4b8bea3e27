package dev.hailuo.core.provider;

/**
 * An upstream engine, driven the same way whether it renders in-process (the sandbox) or
 * across the network: submit once, then poll until it says done or failed.
 */
public interface Provider {
    String name();

    SubmitResult submit(ProviderJob job);

    PollResult poll(ProviderJob job);

    /**
     * True if submitting the same task twice starts one render (the engine keys jobs by our
     * task id). Otherwise a repeated submission after an unknown outcome may render twice,
     * and the dispatcher counts it.
     */
    default boolean submitIsIdempotent() {
        return false;
    }

    /** Best effort: tell the engine the result is no longer wanted. */
    default void cancel(ProviderJob job) {
    }

    /** The result has been stored; the engine may drop its copy. */
    default void forget(ProviderJob job) {
    }
}
