package dev.hailuo.core.catalog;

/** The price in credits of one (mode, resolution, duration) combination. */
public record Price(Mode mode, String resolution, int duration, long credits) {
}
