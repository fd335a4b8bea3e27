package dev.hailuo.core.files;

import java.util.List;
import java.util.function.IntFunction;

/**
 * How a front door names its references in refusals, so a message points at the field the client
 * actually sent: Rivya's {@code params.referenceMediaItems[0].url}, the Market's
 * {@code input.end_image_url}, the Runs {@code input.image_urls[1]}.
 *
 * @param list how the whole list is named (for "at most N" refusals)
 * @param item how the i-th reference is named (its kind, its image rules)
 * @param url  how the i-th reference's URL is named (missing, unreachable, unknown file)
 */
public record ReferenceFields(String list, IntFunction<String> item, IntFunction<String> url) {

    /** A list of objects with a {@code url} field each (Rivya's reference items). */
    public static ReferenceFields objects(String list) {
        return new ReferenceFields(list, i -> list + "[" + i + "]", i -> list + "[" + i + "].url");
    }

    /** A list of URL strings (the Runs {@code image_urls}). */
    public static ReferenceFields urls(String list) {
        IntFunction<String> each = i -> list + "[" + i + "]";
        return new ReferenceFields(list, each, each);
    }

    /** One named URL field per position (the Market's {@code image_url}, {@code end_image_url}). */
    public static ReferenceFields named(String list, List<String> names) {
        List<String> copy = List.copyOf(names);
        IntFunction<String> each = i -> i < copy.size() ? copy.get(i) : list + "[" + i + "]";
        return new ReferenceFields(list, each, each);
    }
}
