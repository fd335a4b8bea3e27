package dev.hailuo.core.port;

import dev.hailuo.core.account.Account;
import dev.hailuo.core.account.AccountLimits;
import dev.hailuo.core.account.ApiKey;
import dev.hailuo.core.money.LedgerEntry;

import java.util.List;
import java.util.Optional;

public interface AccountStore {
    /** Inserts the account, applies its opening grant (if any) and its first key, in one transaction. */
    void create(Account account, LedgerEntry openingGrant, ApiKey firstKey);

    Optional<Account> find(String accountId);

    List<Account> list();

    boolean isEmpty();

    void updateLimits(String accountId, AccountLimits limits);

    void addKey(ApiKey key);

    /** A key and its account's current limits, in one read: this runs on every request. */
    Optional<KeyOwner> findKeyByHash(String hash);

    record KeyOwner(ApiKey key, AccountLimits limits) {
    }

    boolean revokeKey(String accountId, String keyId, java.time.Instant at);

    /**
     * Applies a grant or adjustment.
     * @return false if it would take the balance below zero (nothing changed)
     */
    boolean apply(LedgerEntry entry);

    List<LedgerEntry> ledger(String accountId);
}
