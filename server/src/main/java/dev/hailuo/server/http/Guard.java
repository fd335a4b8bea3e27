package dev.hailuo.server.http;

import dev.hailuo.core.account.Accounts;
import dev.hailuo.core.account.Principal;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import io.javalin.http.Context;

import java.time.Duration;

/**
 * What every front door checks before doing anything: the key, its scope, its rate limit. The
 * order is fixed (401, then 403, then 429) and nothing has been read or written before it passes.
 */
public final class Guard {
    private final Accounts accounts;
    private final RateLimiter limiter;

    public Guard(Accounts accounts, RateLimiter limiter) {
        this.accounts = accounts;
        this.limiter = limiter;
    }

    public Principal admit(Context ctx, Scope scope, RateLimiter.Kind kind) {
        Principal principal = authenticate(ctx);
        if (!principal.may(scope)) {
            throw new GatewayException(ErrorCode.API_SCOPE_DENIED, "This API key lacks the " + scope.wireName() + " scope.");
        }
        RateLimiter.Quota quota = limiter.consume(principal, kind);
        ctx.header("RateLimit-Limit", String.valueOf(quota.limit()));
        ctx.header("RateLimit-Remaining", String.valueOf(quota.remaining()));
        ctx.header("RateLimit-Reset", String.valueOf(ceilSeconds(quota.reset())));
        if (!quota.allowed()) {
            throw new GatewayException(ErrorCode.RATE_LIMITED, "Too many requests; retry after "
                    + ceilSeconds(quota.reset()) + " s.", quota.reset());
        }
        return principal;
    }

    public Principal authenticate(Context ctx) {
        return accounts.authenticate(bearer(ctx));
    }

    /** The bearer secret, or null when the header is absent or not a Bearer credential. */
    public static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank() || header.trim().equalsIgnoreCase("Bearer")) {
            return null;
        }
        if (header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        throw new GatewayException(ErrorCode.API_KEY_INVALID, "The Authorization header must be \"Bearer <key>\".");
    }

    public static long ceilSeconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
