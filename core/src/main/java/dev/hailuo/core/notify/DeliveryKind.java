package dev.hailuo.core.notify;

/** The two kinds of message the one delivery engine carries. */
public enum DeliveryKind {
    /** A Rivya event to a registered endpoint, signed per Standard Webhooks. */
    WEBHOOK("webhook"),
    /** A Market task's result to the task's {@code callBackUrl}, signed kie-style when the account has a key. */
    CALLBACK("callback");

    private final String dbName;

    DeliveryKind(String dbName) {
        this.dbName = dbName;
    }

    public String dbName() {
        return dbName;
    }

    public static DeliveryKind fromDb(String name) {
        for (DeliveryKind kind : values()) {
            if (kind.dbName.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown delivery kind " + name);
    }
}
