package dev.hailuo.bench;

import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.emulators.minimax.MiniMaxEmulator;
import dev.hailuo.server.store.Database;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How soon a finished generation shows as {@code succeeded}: tasks that the MiniMax emulator
 * finishes {@code bench.renderSeconds} after submission, created one every
 * {@code bench.spacingMillis}, against a fresh node with polling alone and then a fresh node
 * with MiniMax push callbacks. Nothing else runs (the same figure under 100,000 tasks being
 * polled is in {@link UpstreamLoadBenchmark}). Prints p50/p90/p99; asserts nothing.
 *
 * <p>Knobs: {@code -Dbench.probes} (200), {@code -Dbench.renderSeconds} (60),
 * {@code -Dbench.spacingMillis} (250), {@code -Dbench.pollsPerMinute} (6000).
 */
public final class DoneToVisibleBenchmark {
    private DoneToVisibleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int probes = Integer.getInteger("bench.probes", 200);
        int renderSeconds = Integer.getInteger("bench.renderSeconds", 60);
        int spacingMillis = Integer.getInteger("bench.spacingMillis", 250);
        int pollsPerMinute = Integer.getInteger("bench.pollsPerMinute", 6000);
        for (boolean callbacks : List.of(false, true)) {
            Path dir = Files.createTempDirectory("hailuo-done-bench-");
            try (MiniMaxEmulator minimax = MiniMaxEmulator.start(0, new Videos(dir.resolve("videos"), Clock.systemUTC()),
                    Clock.systemUTC())) {
                Map<String, String> settings = new HashMap<>(Map.of("HAILUO_MINIMAX_API_KEY", "bench",
                        "HAILUO_MINIMAX_BASE_URL", minimax.baseUrl(), "HAILUO_MINIMAX_SUBMITS_PER_MINUTE", "6000000",
                        "HAILUO_MINIMAX_POLLS_PER_MINUTE", String.valueOf(pollsPerMinute), "HAILUO_MINIMAX_MAX_IN_FLIGHT", "10000000"));
                try (NodeProcess node = NodeProcess.start(dir, settings);
                     Database db = Database.open("jdbc:sqlite:" + node.database())) {
                    if (callbacks) {
                        // Push callbacks need a URL the provider can reach: here the node itself.
                        node.restart(Map.of("HAILUO_PUBLIC_BASE_URL", node.baseUrl()));
                    }
                    Client api = new Client(node.baseUrl());
                    String key = api.account("done-to-visible");
                    // Warm-up (not reported): 20 quick tasks through the whole path.
                    minimax.faults().set(plan(1000));
                    List<Client.Created> warm = api.create(List.of(key), 20, "warm-up", new AtomicInteger());
                    Client.await(() -> warm.stream().allMatch(t -> {
                        try {
                            return "succeeded".equals(api.task(t).path("status").asText());
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    }), Duration.ofMinutes(2));
                    minimax.faults().set(plan(renderSeconds * 1000L));
                    Probes.Result result = Probes.measure(api, key, minimax, db, probes, Duration.ofMillis(spacingMillis),
                            Duration.ofSeconds(renderSeconds).plusMinutes(5), "done to visible");
                    System.out.printf("%-16s render %d s, %s%n", callbacks ? "with callbacks:" : "polling alone:", renderSeconds,
                            result.summary());
                }
            }
        }
    }

    private static Faults.Plan plan(long renderMillis) {
        return new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, renderMillis, 0);
    }
}
