package dev.hailuo.server.store;

import dev.hailuo.core.idempotency.IdempotencyRace;
import dev.hailuo.core.idempotency.IdempotencyRecord;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.port.IdempotencyStore;
import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.Optional;

public final class JdbcIdempotencyStore implements IdempotencyStore {
    private final Database db;

    public JdbcIdempotencyStore(Database db) {
        this.db = db;
    }

    @Override
    public Optional<IdempotencyRecord> find(IdempotentRequest r, Instant now) {
        return db.read(h -> h.createQuery("""
                        SELECT * FROM idempotency
                        WHERE account_id = :account AND route = :route AND idem_key = :key AND expires_at > :now""")
                .bind("account", r.accountId()).bind("route", r.route()).bind("key", r.key()).bind("now", now.toEpochMilli())
                .map((rs, ctx) -> new IdempotencyRecord(
                        new IdempotentRequest(r.accountId(), r.route(), r.key(), rs.getString("fingerprint")),
                        new StoredResponse(rs.getInt("status"), rs.getString("body")),
                        Times.instant(rs, "created_at"), Times.instant(rs, "expires_at")))
                .findOne());
    }

    @Override
    public void save(IdempotencyRecord record) {
        try {
            db.writeVoid(h -> insert(h, record));
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw new IdempotencyRace();
            }
            throw e;
        }
    }

    @Override
    public int deleteExpired(Instant now) {
        return db.write(h -> h.createUpdate("DELETE FROM idempotency WHERE expires_at <= :now")
                .bind("now", now.toEpochMilli()).execute());
    }

    /**
     * Inside the caller's transaction. An expired row under the same key is replaced, so a key
     * can be reused after its retention ends.
     */
    static void insert(Handle h, IdempotencyRecord record) {
        IdempotentRequest r = record.request();
        h.createUpdate("DELETE FROM idempotency WHERE account_id = :account AND route = :route AND idem_key = :key AND expires_at <= :now")
                .bind("account", r.accountId()).bind("route", r.route()).bind("key", r.key())
                .bind("now", record.createdAt().toEpochMilli()).execute();
        h.createUpdate("""
                        INSERT INTO idempotency (account_id, route, idem_key, fingerprint, status, body, created_at, expires_at)
                        VALUES (:account, :route, :key, :fingerprint, :status, :body, :created, :expires)""")
                .bind("account", r.accountId()).bind("route", r.route()).bind("key", r.key())
                .bind("fingerprint", r.fingerprint()).bind("status", record.response().status())
                .bind("body", record.response().body())
                .bind("created", Times.millis(record.createdAt())).bind("expires", Times.millis(record.expiresAt()))
                .execute();
    }
}
