package dev.hailuo.core.account;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a key may do; the names are Rivya's. New keys get all of them. */
public enum Scope {
    MODELS_READ("models:read"),
    GENERATIONS_CREATE("generations:create"),
    GENERATIONS_READ("generations:read"),
    FILES_CREATE("files:create"),
    FILES_READ("files:read"),
    CREDITS_READ("credits:read"),
    WEBHOOKS_MANAGE("webhooks:manage");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Scope> fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }

    public static Set<Scope> all() {
        return EnumSet.allOf(Scope.class);
    }
}
