package dev.hailuo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cores used over a window by other processes, from /proc (Linux): the gateway nodes (by pid),
 * every PostgreSQL process (by name, so other users of the same server count too), this JVM (the
 * load generator) and the rest of the machine. Elsewhere every figure reads NaN.
 */
final class ProcessCpu implements LoadRun.Window {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final double TICKS_PER_SECOND = 100; // USER_HZ

    /** Average cores busy in the window. */
    record Usage(double nodes, double postgres, double loadgen, double others) {
        static final Usage UNKNOWN = new Usage(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private record Sample(long wallNanos, long nodes, long postgres, long self, long machineBusy, long machineTotal) {
    }

    private final List<Long> nodePids;
    private Sample from;
    private Usage usage = Usage.UNKNOWN;

    ProcessCpu(List<Long> nodePids) {
        this.nodePids = List.copyOf(nodePids);
    }

    @Override
    public void opened() {
        from = sample();
    }

    @Override
    public void closed() {
        Sample to = sample();
        double seconds = (to.wallNanos() - from.wallNanos()) / 1e9;
        if (from.machineTotal() < 0 || to.machineTotal() <= from.machineTotal()) {
            usage = Usage.UNKNOWN;
            return;
        }
        double machine = CORES * (double) (to.machineBusy() - from.machineBusy()) / (to.machineTotal() - from.machineTotal());
        double nodes = (to.nodes() - from.nodes()) / TICKS_PER_SECOND / seconds;
        double postgres = (to.postgres() - from.postgres()) / TICKS_PER_SECOND / seconds;
        double self = (to.self() - from.self()) / TICKS_PER_SECOND / seconds;
        usage = new Usage(nodes, postgres, self, Math.max(0, machine - nodes - postgres - self));
    }

    Usage usage() {
        return usage;
    }

    private Sample sample() {
        long nodes = nodePids.stream().mapToLong(ProcessCpu::ticks).sum();
        long postgres = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    if (Files.readString(proc.resolve("comm")).strip().equals("postgres")) {
                        postgres += ticks(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        MachineTicks machine = MachineTicks.read();
        return new Sample(System.nanoTime(), nodes, postgres, ticks(ProcessHandle.current().pid()), machine.busy(), machine.total());
    }

    /** utime + stime of a process, its ended children excluded. */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
