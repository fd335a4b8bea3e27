package dev.hailuo.server.http;

import io.javalin.http.Context;

import java.util.random.RandomGenerator;

/** Every request gets an id, sent back in {@code X-Request-Id}, put in every log line and error body. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "requestId";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final RandomGenerator random;

    public RequestIds(RandomGenerator random) {
        this.random = random;
    }

    public String assign(Context ctx) {
        String requestId = next();
        ctx.attribute(ATTRIBUTE, requestId);
        ctx.header(HEADER, requestId);
        return requestId;
    }

    public String next() {
        char[] id = new char[24];
        for (int i = 0; i < id.length; i++) {
            id[i] = HEX[random.nextInt(16)];
        }
        return "req_" + new String(id);
    }

    public static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "req_unknown" : id;
    }
}
