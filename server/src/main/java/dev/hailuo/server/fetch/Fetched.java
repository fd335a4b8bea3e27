package dev.hailuo.server.fetch;

import java.net.URI;

/**
 * A completed download.
 *
 * @param finalUrl    the URL the body came from, after redirects
 * @param status      its 2xx status
 * @param contentType the Content-Type the server sent, or null when it sent none (never trusted: sniff the bytes)
 * @param bytes       body size written to the target file
 */
public record Fetched(URI finalUrl, int status, String contentType, long bytes) {
}
