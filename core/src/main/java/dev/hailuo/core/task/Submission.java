package dev.hailuo.core.task;

/**
 * What the client sent, as its front door received it: kept with the task so each door can show
 * it back in its own shape (the Market's {@code param}, the Runs {@code input}), and the
 * Market's {@code callBackUrl}, the endpoint told when the task ends. Both may be null.
 *
 * @param request     the create request as compact JSON, or null
 * @param callbackUrl the endpoint to notify when the task ends, checked at creation, or null
 */
public record Submission(String request, String callbackUrl) {
    public static final Submission NONE = new Submission(null, null);
}
