package dev.hailuo.core.files;

/**
 * One reference as a client names it: Rivya's {@code params.referenceMediaItems[i]}, Market's
 * {@code image_url}/{@code end_image_url}, Runs' {@code image_urls[i]}. Only {@code url} is required.
 */
public record ReferenceItem(String url, String kind, String durationToken) {
    public static ReferenceItem image(String url) {
        return new ReferenceItem(url, FileKind.IMAGE.wireName(), null);
    }
}
