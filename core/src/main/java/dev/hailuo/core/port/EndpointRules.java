package dev.hailuo.core.port;

/**
 * Which URLs the gateway will call later with a notification (a Market task's callBackUrl): a
 * client-chosen endpoint is checked before it is stored, with the same URL rules the sender
 * applies again on every call.
 */
public interface EndpointRules {
    /** Refuses, with a validation error naming {@code field}, a URL the gateway would not call. */
    void check(String url, String field);
}
