package dev.hailuo.server.store;

import java.time.Instant;
import java.util.Optional;

/**
 * The per-account HMAC key that signs Market callbacks kie-style. Kept as set, because signing
 * needs the key itself; never logged, shown once when set.
 */
public final class CallbackKeys {
    private final Database db;

    public CallbackKeys(Database db) {
        this.db = db;
    }

    public Optional<String> find(String accountId) {
        return db.read(h -> h.createQuery("SELECT hmac_key FROM callback_keys WHERE account_id = :account")
                .bind("account", accountId).mapTo(String.class).findOne());
    }

    /** Sets (or replaces) the account's key. */
    public void set(String accountId, String key, Instant at) {
        db.writeVoid(h -> {
            h.createUpdate("DELETE FROM callback_keys WHERE account_id = :account").bind("account", accountId).execute();
            h.createUpdate("INSERT INTO callback_keys (account_id, hmac_key, created_at) VALUES (:account, :key, :at)")
                    .bind("account", accountId).bind("key", key).bind("at", at.toEpochMilli()).execute();
        });
    }

    /** @return whether there was a key to remove */
    public boolean remove(String accountId) {
        return db.write(h -> h.createUpdate("DELETE FROM callback_keys WHERE account_id = :account")
                .bind("account", accountId).execute()) == 1;
    }
}
