package dev.hailuo.core.account;

import java.util.Set;

/** Who is calling: the account behind a valid key, with the key's scopes. */
public record Principal(String accountId, String keyId, Set<Scope> scopes, AccountLimits limits) {
    public Principal {
        scopes = Set.copyOf(scopes);
    }

    public boolean may(Scope scope) {
        return scopes.contains(scope);
    }
}
