package dev.hailuo.core.notify;

/**
 * Where a delivery stands. {@code FAILED}: every attempt failed, or the receiver answered 410.
 * {@code CANCELED}: no longer attempted because its endpoint was disabled or deleted first.
 */
public enum DeliveryState {
    PENDING("pending"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELED("canceled");

    private final String wireName;

    DeliveryState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static DeliveryState fromWire(String name) {
        for (DeliveryState state : values()) {
            if (state.wireName.equals(name)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown delivery state " + name);
    }
}
