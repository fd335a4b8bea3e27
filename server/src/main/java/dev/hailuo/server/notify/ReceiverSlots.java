package dev.hailuo.server.notify;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * At most {@code perReceiver} attempts at once to any one receiver on this node, so that a slow
 * or dead receiver ties up that many delivery workers and no more: the others keep serving the
 * other receivers.
 */
final class ReceiverSlots {
    private final int perReceiver;
    private final Map<String, Integer> inUse = new HashMap<>();

    ReceiverSlots(int perReceiver) {
        if (perReceiver < 1) {
            throw new IllegalArgumentException("perReceiver must be at least 1, was " + perReceiver);
        }
        this.perReceiver = perReceiver;
    }

    int perReceiver() {
        return perReceiver;
    }

    synchronized boolean tryTake(String receiver) {
        int used = inUse.getOrDefault(receiver, 0);
        if (used >= perReceiver) {
            return false;
        }
        inUse.put(receiver, used + 1);
        return true;
    }

    synchronized void giveBack(String receiver) {
        inUse.computeIfPresent(receiver, (r, used) -> used <= 1 ? null : used - 1);
    }

    /** Receivers with no slot left: not worth claiming deliveries for. */
    synchronized Set<String> full() {
        return inUse.entrySet().stream().filter(e -> e.getValue() >= perReceiver).map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }
}
