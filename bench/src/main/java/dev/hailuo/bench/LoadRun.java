package dev.hailuo.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * One closed-loop load phase: N client threads, each sending its next request only when the
 * previous one has answered, so the offered load adapts to the server (no queue builds up in
 * the load generator, which matters when client and server share 2 cores). A warm-up is run
 * first and left out of every figure; then only requests that complete inside the measured
 * window count.
 */
final class LoadRun {
    /** Names the client threads, so that CpuMeter can tell the load generator's CPU from the server's. */
    static final String THREAD_PREFIX = "loadgen-";
    /** Latencies up to one minute, in microseconds, 3 significant digits. */
    private static final long MAX_MICROS = 60_000_000L;

    /** The figures of one phase. Errors cover the whole phase, warm-up included: they must all be 0. */
    record Result(String phase, int clients, long requests, Duration measured, Histogram latencyMicros,
                  Map<String, Long> errors, Map<String, String> errorSamples, CpuMeter.Usage cpu) {
        double throughput() {
            return requests / (measured.toNanos() / 1e9);
        }

        double percentileMillis(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Rounds of one phase as one result: requests, time, latencies and errors added up, CPU averaged over the time. */
        static Result combine(List<Result> rounds) {
            Result first = rounds.getFirst();
            Histogram latencies = new Histogram(MAX_MICROS, 3);
            Map<String, Long> errors = new TreeMap<>();
            Map<String, String> samples = new TreeMap<>();
            long requests = 0;
            Duration measured = Duration.ZERO;
            double[] cpu = new double[5];
            for (Result r : rounds) {
                requests += r.requests();
                measured = measured.plus(r.measured());
                latencies.add(r.latencyMicros());
                r.errors().forEach((kind, n) -> errors.merge(kind, n, Long::sum));
                r.errorSamples().forEach(samples::putIfAbsent);
                double weight = r.measured().toNanos();
                cpu[0] += r.cpu().server() * weight;
                cpu[1] += r.cpu().loadgen() * weight;
                cpu[2] += r.cpu().jitGc() * weight;
                cpu[3] += r.cpu().jvmTotal() * weight;
                cpu[4] += r.cpu().otherProcesses() * weight;
            }
            double total = measured.toNanos();
            return new Result(first.phase(), first.clients(), requests, measured, latencies, errors, samples,
                    new CpuMeter.Usage(cpu[0] / total, cpu[1] / total, cpu[2] / total, cpu[3] / total, cpu[4] / total));
        }
    }

    /** Told when the measured window opens and closes (to sample other processes' CPU over exactly that window). */
    interface Window {
        Window NONE = new Window() {
            @Override
            public void opened() {
            }

            @Override
            public void closed() {
            }
        };

        void opened();

        void closed();
    }

    private final HttpClient http;
    private final Duration warmup;
    private final Duration measure;

    LoadRun(HttpClient http, Duration warmup, Duration measure) {
        this.http = http;
        this.warmup = warmup;
        this.measure = measure;
    }

    /**
     * @param requests  the n-th request of the phase (n counts across all clients)
     * @param onSuccess sees the body of every 2xx answer (e.g. to collect created ids)
     */
    Result run(String phase, int clients, LongFunction<HttpRequest> requests, Consumer<String> onSuccess)
            throws InterruptedException {
        return run(phase, clients, requests, onSuccess, Window.NONE);
    }

    Result run(String phase, int clients, LongFunction<HttpRequest> requests, Consumer<String> onSuccess, Window window)
            throws InterruptedException {
        long start = System.nanoTime();
        long measureStart = start + warmup.toNanos();
        long measureEnd = measureStart + measure.toNanos();
        AtomicLong sequence = new AtomicLong();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        Map<String, String> samples = new ConcurrentHashMap<>();
        // One histogram per client, merged at the end: recording stays free of contention.
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Histogram histogram = new Histogram(MAX_MICROS, 3);
            histograms.add(histogram);
            threads.add(Thread.ofPlatform().name(THREAD_PREFIX + phase + "-" + i).start(() -> {
                while (System.nanoTime() < measureEnd) {
                    HttpRequest request = requests.apply(sequence.getAndIncrement());
                    long sent = System.nanoTime();
                    HttpResponse<String> response;
                    try {
                        response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    } catch (IOException e) {
                        String kind = e.getClass().getSimpleName();
                        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
                        samples.putIfAbsent(kind, String.valueOf(e.getMessage()));
                        continue;
                    } catch (InterruptedException e) {
                        return;
                    }
                    long answered = System.nanoTime();
                    if (response.statusCode() / 100 != 2) {
                        String kind = "HTTP " + response.statusCode();
                        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
                        samples.putIfAbsent(kind, response.body());
                        continue;
                    }
                    onSuccess.accept(response.body());
                    if (answered >= measureStart && answered < measureEnd) {
                        histogram.recordValue(Math.min(MAX_MICROS, Math.max(1, (answered - sent) / 1000)));
                    }
                }
            }));
        }
        sleepUntil(measureStart);
        CpuMeter.Sample cpuFrom = CpuMeter.sample();
        window.opened();
        sleepUntil(measureEnd);
        CpuMeter.Usage cpu = CpuMeter.between(cpuFrom, CpuMeter.sample());
        window.closed();
        for (Thread thread : threads) {
            thread.join();
        }
        Histogram all = new Histogram(MAX_MICROS, 3);
        histograms.forEach(all::add);
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((kind, count) -> errorCounts.put(kind, count.sum()));
        return new Result(phase, clients, all.getTotalCount(), measure, all, errorCounts, Map.copyOf(samples), cpu);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }
}
