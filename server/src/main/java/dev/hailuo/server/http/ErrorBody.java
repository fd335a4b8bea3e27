package dev.hailuo.server.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.error.GatewayException;

/**
 * The Rivya error envelope, {@code {"error":{"code","message","requestId"}}}, also used by the
 * admin API and the media routes. The Market and Runs doors bring their own.
 */
public final class ErrorBody {
    private ErrorBody() {
    }

    public static ObjectNode of(GatewayException e, String requestId) {
        return of(e.code().code(), e.getMessage(), requestId);
    }

    public static ObjectNode of(String code, String message, String requestId) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        error.put("requestId", requestId);
        return root;
    }
}
