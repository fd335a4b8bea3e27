package dev.hailuo.core.notify;

import java.util.Arrays;
import java.util.Optional;

/**
 * Whether an endpoint receives events. A disabled endpoint (by its owner, or by answering
 * {@code 410 Gone}) receives nothing until it is enabled again; a deleted one is gone for good
 * and never shown.
 */
public enum EndpointStatus {
    ACTIVE("active"),
    DISABLED("disabled"),
    DELETED("deleted");

    private final String wireName;

    EndpointStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<EndpointStatus> fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }
}
