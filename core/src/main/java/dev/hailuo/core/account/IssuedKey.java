package dev.hailuo.core.account;

/** A key just created: the only moment its secret exists outside the client's hands. */
public record IssuedKey(ApiKey key, String secret) {
    @Override
    public String toString() {
        return "IssuedKey[" + key.prefix() + "…]";
    }
}
