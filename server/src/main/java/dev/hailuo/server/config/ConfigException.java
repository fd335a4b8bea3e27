package dev.hailuo.server.config;

/** Bad configuration: start-up stops with this one precise message. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
