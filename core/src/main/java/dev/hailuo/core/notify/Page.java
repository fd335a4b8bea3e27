package dev.hailuo.core.notify;

import java.util.List;

/** One page of a list, newest first; {@code hasMore} says whether older items follow the last one. */
public record Page<T>(List<T> items, boolean hasMore) {
    public Page {
        items = List.copyOf(items);
    }
}
