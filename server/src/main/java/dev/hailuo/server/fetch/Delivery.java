package dev.hailuo.server.fetch;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an endpoint answered to a {@link SafeFetcher#post}.
 *
 * @param status      the HTTP status, redirects included (they are never followed)
 * @param headers     response headers, looked up case-insensitively; repeated headers joined with ", "
 * @param bodySnippet the start of the body, at most {@link #SNIPPET_BYTES} bytes decoded as UTF-8, for the deliveries log
 */
public record Delivery(int status, Map<String, String> headers, String bodySnippet) {
    /** Enough of a receiver's answer to explain a failure in the deliveries log. */
    public static final int SNIPPET_BYTES = 1024;

    public Delivery {
        SortedMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        headers = Collections.unmodifiableSortedMap(copy);
    }
}
