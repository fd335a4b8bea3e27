package dev.hailuo.emulators;

import java.time.Clock;

/** Starts an emulator by provider name. */
public final class Emulators {
    private Emulators() {
    }

    public static Emulator start(String provider, int port, Videos videos, Clock clock) {
        switch (provider) {
            // Each provider's emulator adds its case here, e.g. case "minimax": return MiniMaxEmulator.start(port, videos, clock);
            case "minimax": return dev.hailuo.emulators.minimax.MiniMaxEmulator.start(port, videos, clock);
            case "fal": return dev.hailuo.emulators.fal.FalEmulator.start(port, videos, clock);
            case "replicate": return dev.hailuo.emulators.replicate.ReplicateEmulator.start(port, videos, clock);
            default:
                throw new IllegalArgumentException("unknown provider \"" + provider + "\" (minimax, fal, replicate)");
        }
    }
}
