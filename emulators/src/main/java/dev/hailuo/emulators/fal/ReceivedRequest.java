package dev.hailuo.emulators.fal;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * One request as the emulator received it, for tests to assert the exact wire format.
 *
 * @param method  e.g. {@code POST}
 * @param path    the path without the query
 * @param query   the raw query, or null
 * @param headers first value of each header, names in lower case
 * @param body    the parsed JSON body, or null when there was none or it was not JSON
 */
public record ReceivedRequest(String method, String path, String query, Map<String, String> headers, JsonNode body) {
    public ReceivedRequest {
        headers = Map.copyOf(headers);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
