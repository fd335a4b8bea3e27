package dev.hailuo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The whole machine's CPU ticks (all cores) from /proc/stat: busy and total; both -1 off Linux. */
record MachineTicks(long busy, long total) {
    static MachineTicks read() {
        try {
            // First line: "cpu  user nice system idle iowait irq softirq steal ..." in ticks, all cores.
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long[] t = Arrays.stream(f, 1, Math.min(f.length, 9)).mapToLong(Long::parseLong).toArray();
            long total = Arrays.stream(t).sum();
            return new MachineTicks(total - t[3] - t[4], total);
        } catch (IOException | RuntimeException e) {
            return new MachineTicks(-1, -1); // not Linux
        }
    }
}
