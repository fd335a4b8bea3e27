package dev.hailuo.server.store;

import java.util.Optional;
import java.util.function.Supplier;

/** Values that must outlive a restart and be shared by nodes, such as the media signing key. */
public final class Settings {
    private final Database db;

    public Settings(Database db) {
        this.db = db;
    }

    public Optional<String> get(String name) {
        return db.read(h -> h.createQuery("SELECT value FROM settings WHERE name = :name").bind("name", name)
                .mapTo(String.class).findOne());
    }

    /** The stored value, or {@code initial} stored now; whoever writes first wins, on every node. */
    public String getOrCreate(String name, Supplier<String> initial) {
        Optional<String> existing = get(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        String value = initial.get();
        try {
            db.writeVoid(h -> h.createUpdate("INSERT INTO settings (name, value) VALUES (:name, :value)")
                    .bind("name", name).bind("value", value).execute());
            return value;
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                return get(name).orElseThrow();
            }
            throw e;
        }
    }
}
