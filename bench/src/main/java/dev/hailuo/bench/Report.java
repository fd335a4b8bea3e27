package dev.hailuo.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Prints the machine and the table; it judges nothing, the reader compares with the targets. */
final class Report {
    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    void machine() {
        Runtime rt = Runtime.getRuntime();
        out.println("Machine");
        out.println("  cores (Runtime.availableProcessors): " + rt.availableProcessors());
        out.println("  CPU: " + cpuModel());
        out.println("  OS: " + osName() + " (" + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch") + ")");
        out.println("  java -version: " + javaVersion());
        out.println("  heap max: " + rt.maxMemory() / (1024 * 1024) + " MiB, GC: "
                + ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", ")));
    }

    /**
     * @param ceiling the bare-Javalin result per client count; reads are shown as a share of it
     * @param notes   printed under the table
     */
    void table(List<LoadRun.Result> results, Map<Integer, LoadRun.Result> ceiling, List<String> notes) {
        String format = "%-12s %7s %9s %12s %7s %7s %7s %6s %6s | %6s %7s %6s %6s%n";
        out.printf(format, "phase", "clients", "requests", "throughput/s", "p50 ms", "p99 ms", "max ms", "errors", "%bare",
                "server", "loadgen", "jit+gc", "others");
        out.println("-".repeat(String.format(format, "", "", "", "", "", "", "", "", "", "", "", "", "").length() - 1));
        for (LoadRun.Result r : results) {
            LoadRun.Result bare = ceiling.get(r.clients());
            String share = r.phase().equals("read") && bare != null
                    ? String.format("%.0f%%", 100 * r.throughput() / bare.throughput()) : "";
            CpuMeter.Usage cpu = r.cpu();
            out.printf(format, r.phase(), r.clients(), r.requests(), String.format("%,.0f", r.throughput()),
                    String.format("%.2f", r.percentileMillis(50)), String.format("%.2f", r.percentileMillis(99)),
                    String.format("%.1f", r.latencyMicros().getMaxValue() / 1000.0), r.errorCount(), share,
                    cores(cpu.server()), cores(cpu.loadgen()), cores(cpu.jitGc()), cores(cpu.otherProcesses()));
        }
        out.println("Right of |: cores busy in the measured window: gateway or bare server (virtual-thread carriers),");
        out.println("load generator (client threads + HttpClient), JIT + GC, and all other processes (0 = quiet machine).");
        out.println("Errors count every non-2xx answer or I/O failure of the phase, warm-up included.");
        for (LoadRun.Result r : results) {
            r.errors().forEach((kind, count) -> out.printf("  %s@%d: %,d x %s, e.g. %s%n", r.phase(), r.clients(), count,
                    kind, abbreviate(r.errorSamples().get(kind))));
        }
        notes.forEach(note -> out.println("Note: " + note));
    }

    private static String cores(double value) {
        return Double.isNaN(value) ? "n/a" : String.format("%.2f", value);
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String osName() {
        try (Stream<String> lines = Files.lines(Path.of("/etc/os-release"))) {
            return lines.filter(l -> l.startsWith("PRETTY_NAME=")).map(l -> l.substring(12).replace("\"", ""))
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The literal output of {@code java -version} of the running JDK, on one line. */
    private static String javaVersion() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            Process process = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return text.strip().replace(System.lineSeparator(), " | ");
        } catch (IOException e) {
            return System.getProperty("java.runtime.version");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return System.getProperty("java.runtime.version");
        }
    }

    private static String abbreviate(String text) {
        String flat = Optional.ofNullable(text).orElse("").replaceAll("\\s+", " ");
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...";
    }
}
