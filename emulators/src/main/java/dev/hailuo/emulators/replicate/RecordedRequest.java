package dev.hailuo.emulators.replicate;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request exactly as the emulator received it, for tests that assert the wire format.
 *
 * @param headers header names as received (any case); read them with {@link #header}
 * @param body    the parsed JSON body, or null when there was none or it was not JSON
 */
public record RecordedRequest(Instant at, String method, String path, String query, Map<String, List<String>> headers,
                              JsonNode body, String rawBody) {
    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .flatMap(e -> e.getValue().stream()).findFirst();
    }
}
