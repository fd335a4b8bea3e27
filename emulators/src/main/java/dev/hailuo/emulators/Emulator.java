package dev.hailuo.emulators;

/** A running emulator: where it listens, its fault plan, and how to stop it. */
public interface Emulator extends AutoCloseable {
    int port();

    default String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    Faults faults();

    @Override
    void close();
}
