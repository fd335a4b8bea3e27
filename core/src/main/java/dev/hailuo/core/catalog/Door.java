package dev.hailuo.core.catalog;

/** The public APIs ("front doors"); each names models its own way. */
public enum Door {
    RIVYA, MARKET, RUNS
}
