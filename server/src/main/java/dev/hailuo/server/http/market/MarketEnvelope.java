package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Market API's JSON envelope (kie-market-api.md sections 2.2, 5 and 7):
 * {@code {"code": <int>, "msg": "...", "data": ...}}, where the body {@code code} is
 * authoritative. The upload API adds a leading {@code "success"} boolean; the task API does not.
 */
public final class MarketEnvelope {
    /** {@code POST /api/file-*-upload}: {@code {"success","code","msg","data"}}. */
    public static final MarketEnvelope UPLOADS = new MarketEnvelope(true);
    /** createTask, recordInfo, credit, download-url: {@code {"code","msg","data"}}. */
    public static final MarketEnvelope TASKS = new MarketEnvelope(false);

    public static final int OK = 200;

    private final boolean withSuccess;

    private MarketEnvelope(boolean withSuccess) {
        this.withSuccess = withSuccess;
    }

    public ObjectNode success(String msg, JsonNode data) {
        ObjectNode root = head(true, OK, msg);
        root.set("data", data);
        return root;
    }

    /** A refusal; {@code data} is always null. */
    public ObjectNode failure(int code, String msg) {
        ObjectNode root = head(false, code, msg);
        root.putNull("data");
        return root;
    }

    private ObjectNode head(boolean success, int code, String msg) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        if (withSuccess) {
            root.put("success", success);
        }
        root.put("code", code);
        root.put("msg", msg);
        return root;
    }
}
