package dev.hailuo.core.account;

import java.time.Instant;

/** A customer: one wallet shared by every front door. {@code balance} is what can still be spent. */
public record Account(String id, String name, long balance, long reserved, AccountLimits limits, Instant createdAt) {
}
