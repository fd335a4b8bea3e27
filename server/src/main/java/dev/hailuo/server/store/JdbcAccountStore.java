package dev.hailuo.server.store;

import dev.hailuo.core.account.Account;
import dev.hailuo.core.account.AccountLimits;
import dev.hailuo.core.account.ApiKey;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.money.LedgerEntry;
import dev.hailuo.core.money.LedgerKind;
import dev.hailuo.core.port.AccountStore;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

public final class JdbcAccountStore implements AccountStore {
    private static final RowMapper<Account> ACCOUNT = (rs, ctx) -> new Account(
            rs.getString("id"), rs.getString("name"), rs.getLong("balance"), rs.getLong("reserved"),
            new AccountLimits(rs.getInt("creates_per_10s"), rs.getInt("reads_per_second"), rs.getInt("max_in_flight")),
            Times.instant(rs, "created_at"));

    private static final RowMapper<ApiKey> KEY = (rs, ctx) -> new ApiKey(
            rs.getString("id"), rs.getString("account_id"), rs.getString("prefix"), rs.getString("hash"),
            parseScopes(rs.getString("scopes")), Times.instant(rs, "created_at"),
            Times.instant(rs, "revoked_at"), Times.instant(rs, "expires_at"));

    private static final RowMapper<LedgerEntry> ENTRY = (rs, ctx) -> new LedgerEntry(
            rs.getString("id"), rs.getString("account_id"), LedgerKind.valueOf(rs.getString("kind").toUpperCase()),
            rs.getLong("available_delta"), rs.getLong("reserved_delta"), rs.getString("task_id"),
            rs.getString("note"), Times.instant(rs, "created_at"));

    /**
     * How long a key lookup is remembered. Every request authenticates, so this saves one
     * database read per request; a revocation or a limit change applies within this time.
     */
    public static final Duration KEY_MEMO = Duration.ofSeconds(2);
    static final int KEY_MEMO_MAX_ENTRIES = 10_000;

    private final Database db;
    private final Clock clock;
    // Hand-written rather than Caffeine: a bounded two-second memo is a dozen lines.
    private final Map<String, Memo> keys = new ConcurrentHashMap<>();

    private record Memo(Optional<KeyOwner> owner, long until) {
    }

    public JdbcAccountStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void create(Account account, LedgerEntry openingGrant, ApiKey firstKey) {
        db.writeVoid(h -> {
            AccountLimits l = account.limits();
            h.createUpdate("""
                            INSERT INTO accounts (id, name, balance, reserved, creates_per_10s, reads_per_second, max_in_flight, created_at)
                            VALUES (:id, :name, 0, 0, :creates, :reads, :inflight, :at)""")
                    .bind("id", account.id()).bind("name", account.name())
                    .bind("creates", l.createsPer10Seconds()).bind("reads", l.readsPerSecond())
                    .bind("inflight", l.maxTasksInFlight()).bind("at", Times.millis(account.createdAt()))
                    .execute();
            if (openingGrant != null && !Ledgers.apply(h, openingGrant)) {
                throw new IllegalStateException("opening grant refused for " + account.id());
            }
            insertKey(h, firstKey);
        });
    }

    @Override
    public Optional<Account> find(String accountId) {
        return db.read(h -> h.createQuery("SELECT * FROM accounts WHERE id = :id").bind("id", accountId)
                .map(ACCOUNT).findOne());
    }

    @Override
    public List<Account> list() {
        return db.read(h -> h.createQuery("SELECT * FROM accounts ORDER BY id").map(ACCOUNT).list());
    }

    @Override
    public boolean isEmpty() {
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM accounts").mapTo(Long.class).one()) == 0;
    }

    @Override
    public void updateLimits(String accountId, AccountLimits l) {
        db.writeVoid(h -> h.createUpdate("""
                        UPDATE accounts SET creates_per_10s = :creates, reads_per_second = :reads, max_in_flight = :inflight
                        WHERE id = :id""")
                .bind("creates", l.createsPer10Seconds()).bind("reads", l.readsPerSecond())
                .bind("inflight", l.maxTasksInFlight()).bind("id", accountId).execute());
        keys.clear(); // this node applies its own changes at once
    }

    @Override
    public void addKey(ApiKey key) {
        db.writeVoid(h -> insertKey(h, key));
    }

    @Override
    public Optional<KeyOwner> findKeyByHash(String hash) {
        long now = clock.millis();
        Memo memo = keys.get(hash);
        if (memo != null && memo.until() > now) {
            return memo.owner();
        }
        Optional<KeyOwner> owner = readKey(hash);
        if (keys.size() >= KEY_MEMO_MAX_ENTRIES) {
            keys.clear();
        }
        keys.put(hash, new Memo(owner, now + KEY_MEMO.toMillis()));
        return owner;
    }

    private Optional<KeyOwner> readKey(String hash) {
        return db.read(h -> h.createQuery("""
                        SELECT k.*, a.creates_per_10s, a.reads_per_second, a.max_in_flight
                        FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.hash = :hash""")
                .bind("hash", hash)
                .map((rs, ctx) -> new KeyOwner(KEY.map(rs, ctx), new AccountLimits(rs.getInt("creates_per_10s"),
                        rs.getInt("reads_per_second"), rs.getInt("max_in_flight"))))
                .findOne());
    }


    @Override
    public boolean revokeKey(String accountId, String keyId, Instant at) {
        boolean revoked = db.write(h -> h.createUpdate("""
                        UPDATE api_keys SET revoked_at = :at WHERE id = :id AND account_id = :account AND revoked_at IS NULL""")
                .bind("at", Times.millis(at)).bind("id", keyId).bind("account", accountId).execute()) == 1;
        keys.clear(); // this node applies its own changes at once
        return revoked;
    }

    @Override
    public boolean apply(LedgerEntry entry) {
        return db.write(h -> Ledgers.apply(h, entry));
    }

    @Override
    public List<LedgerEntry> ledger(String accountId) {
        return db.read(h -> h.createQuery("SELECT * FROM ledger WHERE account_id = :account ORDER BY id")
                .bind("account", accountId).map(ENTRY).list());
    }

    private static void insertKey(Handle h, ApiKey key) {
        h.createUpdate("""
                        INSERT INTO api_keys (id, account_id, prefix, hash, scopes, created_at, revoked_at, expires_at)
                        VALUES (:id, :account, :prefix, :hash, :scopes, :created, :revoked, :expires)""")
                .bind("id", key.id()).bind("account", key.accountId()).bind("prefix", key.prefix())
                .bind("hash", key.hash())
                .bind("scopes", key.scopes().stream().map(Scope::wireName).sorted().collect(Collectors.joining(" ")))
                .bind("created", Times.millis(key.createdAt())).bind("revoked", Times.millis(key.revokedAt()))
                .bind("expires", Times.millis(key.expiresAt()))
                .execute();
    }

    private static Set<Scope> parseScopes(String stored) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(stored.split(" ")).map(Scope::fromWire).flatMap(Optional::stream).forEach(scopes::add);
        return scopes;
    }
}
