package dev.hailuo.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the 2 cores went during a measured window: the gateway, the load generator, the JIT and
 * GC (all in this JVM), and every other process on the machine. On 2 cores the load generator
 * takes a large share and a concurrent build halves the figures, so the report shows both
 * instead of letting them pass silently. Linux only (/proc); elsewhere the columns read NaN.
 */
final class CpuMeter {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** USER_HZ, the unit of /proc times; 100 on every mainstream Linux. */
    private static final double TICKS_PER_SECOND = 100;

    enum Group { SERVER, LOADGEN, JIT_GC, OTHER_JVM }

    /** A point in time: this process's CPU time, per-thread ticks, and the machine's busy/total ticks. */
    record Sample(long wallNanos, long processCpuNanos, Map<Long, Long> threadTicks, Map<Long, Group> threadGroups,
                  long machineBusyTicks, long machineTotalTicks) {
    }

    /** Average cores in use over a window. */
    record Usage(double server, double loadgen, double jitGc, double jvmTotal, double otherProcesses) {
    }

    private CpuMeter() {
    }

    static Sample sample() {
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, Group> groups = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // "tid (comm) state ... utime stime ...": comm may hold spaces, so split after the last ')'.
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long tid = Long.parseLong(task.getFileName().toString());
                    ticks.put(tid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    groups.put(tid, group(comm));
                } catch (IOException | RuntimeException e) {
                    // The thread ended meanwhile.
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux.
        }
        MachineTicks machine = MachineTicks.read();
        return new Sample(System.nanoTime(), processCpuNanos(), ticks, groups, machine.busy(), machine.total());
    }

    static Usage between(Sample from, Sample to) {
        double seconds = (to.wallNanos() - from.wallNanos()) / 1e9;
        Map<Group, Long> perGroup = new HashMap<>();
        // Threads that ended inside the window are lost; the load's threads all live through it.
        to.threadTicks().forEach((tid, ticks) -> perGroup.merge(to.threadGroups().get(tid),
                ticks - from.threadTicks().getOrDefault(tid, 0L), Long::sum));
        double jvm = (to.processCpuNanos() - from.processCpuNanos()) / 1e9 / seconds;
        double others = Double.NaN;
        if (from.machineTotalTicks() >= 0 && to.machineTotalTicks() > from.machineTotalTicks()) {
            double machine = CORES * (double) (to.machineBusyTicks() - from.machineBusyTicks())
                    / (to.machineTotalTicks() - from.machineTotalTicks());
            others = Math.max(0, machine - jvm);
        }
        boolean perThread = !to.threadTicks().isEmpty();
        return new Usage(cores(perGroup, Group.SERVER, seconds, perThread), cores(perGroup, Group.LOADGEN, seconds, perThread),
                cores(perGroup, Group.JIT_GC, seconds, perThread), jvm, others);
    }

    /**
     * By thread name: the gateway and the bare endpoint run on virtual threads, whose carriers are
     * ForkJoinPool workers; the gateway's log lines are written by its own thread (BatchingAppender).
     */
    private static Group group(String comm) {
        if (comm.startsWith("ForkJoinPool") || comm.startsWith("MasterPoller") || comm.startsWith("VirtualThread")
                || comm.startsWith("Jetty") || comm.startsWith("qtp") || comm.startsWith("log-writer")) {
            return Group.SERVER;
        }
        if (comm.startsWith(LoadRun.THREAD_PREFIX) || comm.startsWith("HttpClient")) {
            return Group.LOADGEN;
        }
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") || comm.startsWith("GC ")
                || comm.startsWith("G1 ")) {
            return Group.JIT_GC;
        }
        return Group.OTHER_JVM;
    }

    private static double cores(Map<Group, Long> perGroup, Group group, double seconds, boolean available) {
        return available ? perGroup.getOrDefault(group, 0L) / TICKS_PER_SECOND / seconds : Double.NaN;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
