package dev.hailuo.core.account;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.money.LedgerEntry;
import dev.hailuo.core.money.Money;
import dev.hailuo.core.port.AccountStore;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/** Accounts, keys and credit grants: what operators do, and how a request proves who it is. */
public final class Accounts {
    public static final int MAX_NAME_LENGTH = 200;

    private final AccountStore store;
    private final ApiKeySecrets secrets;
    private final Money money;
    private final IdGenerator ids;
    private final Clock clock;

    public Accounts(AccountStore store, ApiKeySecrets secrets, Money money, IdGenerator ids, Clock clock) {
        this.store = store;
        this.secrets = secrets;
        this.money = money;
        this.ids = ids;
        this.clock = clock;
    }

    public record Opened(Account account, IssuedKey key) {
    }

    public Opened open(String name, long credits, AccountLimits limits) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw GatewayException.validation("name: 1 to " + MAX_NAME_LENGTH + " characters, not blank.");
        }
        if (credits < 0) {
            throw GatewayException.validation("credits: must not be negative, got " + credits + ".");
        }
        Instant now = clock.instant();
        String accountId = ids.next("acct_");
        Account account = new Account(accountId, name, 0, 0, limits == null ? AccountLimits.DEFAULTS : limits, now);
        IssuedKey key = issue(accountId, Scope.all());
        store.create(account, credits > 0 ? money.grant(accountId, credits, "opening grant") : null, key.key());
        return new Opened(store.find(accountId).orElseThrow(), key);
    }

    public IssuedKey createKey(String accountId, Set<Scope> scopes) {
        requireAccount(accountId);
        if (scopes.isEmpty()) {
            throw GatewayException.validation("scopes: at least one scope is required.");
        }
        IssuedKey key = issue(accountId, scopes);
        store.addKey(key.key());
        return key;
    }

    public void revokeKey(String accountId, String keyId) {
        if (!store.revokeKey(accountId, keyId, clock.instant())) {
            throw GatewayException.notFound("Key");
        }
    }

    /** Adds credits (positive) or corrects the balance (negative adjustment, never below zero). */
    public Account grant(String accountId, long credits, String note) {
        requireAccount(accountId);
        if (credits == 0) {
            throw GatewayException.validation("amount: must not be zero.");
        }
        LedgerEntry entry = credits > 0 ? money.grant(accountId, credits, note) : money.adjustment(accountId, credits, note);
        if (!store.apply(entry)) {
            throw GatewayException.validation("amount: " + credits + " would take the balance below zero.");
        }
        return store.find(accountId).orElseThrow();
    }

    public Account setLimits(String accountId, AccountLimits limits) {
        requireAccount(accountId);
        store.updateLimits(accountId, limits);
        return store.find(accountId).orElseThrow();
    }

    public Account requireAccount(String accountId) {
        return store.find(accountId).orElseThrow(() -> GatewayException.notFound("Account"));
    }

    /** The caller behind a bearer secret, or the precise reason it is refused. */
    public Principal authenticate(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new GatewayException(ErrorCode.API_KEY_MISSING, "A valid Bearer API key is required.");
        }
        AccountStore.KeyOwner owner = store.findKeyByHash(ApiKeySecrets.hash(secret))
                .orElseThrow(() -> new GatewayException(ErrorCode.API_KEY_INVALID, "The API key cannot be verified."));
        ApiKey key = owner.key();
        Instant now = clock.instant();
        if (key.revokedAt() != null) {
            throw new GatewayException(ErrorCode.API_KEY_REVOKED, "The API key was revoked.");
        }
        if (key.expiresAt() != null && !now.isBefore(key.expiresAt())) {
            throw new GatewayException(ErrorCode.API_KEY_EXPIRED, "The API key has expired.");
        }
        return new Principal(key.accountId(), key.id(), key.scopes(), owner.limits());
    }

    private IssuedKey issue(String accountId, Set<Scope> scopes) {
        String secret = secrets.newSecret();
        ApiKey key = new ApiKey(ids.next("key_"), accountId, ApiKeySecrets.visiblePrefix(secret),
                ApiKeySecrets.hash(secret), scopes, clock.instant(), null, null);
        return new IssuedKey(key, secret);
    }
}
