package dev.hailuo.server.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The appender the server logs through: every line arrives, whole, in order, with its request id. */
class BatchingAppenderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyLineFromManyThreadsIsWrittenWholeAndInEachThreadsOrder() throws Exception {
        Path file = dir.resolve("lines.log");
        LoggerContext context = new LoggerContext();
        Logger log = logger(context, file);
        int threads = 8;
        int perThread = 5_000;
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int writer = t;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    MDC.put("requestId", "req_" + writer + "_" + i);
                    log.info("line {} {}", writer, i);
                    MDC.remove("requestId");
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join();
        }
        context.stop(); // writes what is still queued

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(threads * perThread);
        Map<Integer, Integer> next = new HashMap<>();
        for (String line : lines) {
            JsonNode node = JSON.readTree(line);
            String[] words = node.get("message").asText().split(" ");
            int writer = Integer.parseInt(words[1]);
            int i = Integer.parseInt(words[2]);
            assertThat(i).as("writer %d's lines in order", writer).isEqualTo(next.getOrDefault(writer, 0));
            next.put(writer, i + 1);
            assertThat(node.get("requestId").asText()).isEqualTo("req_" + writer + "_" + i);
        }
    }

    @Test
    void aLoneLineIsWrittenWithoutWaitingForMoreOrForTheStop() throws Exception {
        Path file = dir.resolve("lone.log");
        LoggerContext context = new LoggerContext();
        try {
            Logger log = logger(context, file);
            log.info("first");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(file).size() == 1);
            // The writer has gone back to sleep; the next line must wake it.
            log.info("second");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(file).size() == 2);
            assertThat(JSON.readTree(Files.readAllLines(file).get(1)).get("message").asText()).isEqualTo("second");
        } finally {
            context.stop();
        }
    }

    private static Logger logger(LoggerContext context, Path file) {
        context.setMDCAdapter(MDC.getMDCAdapter()); // the one MDC.put writes to
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.addIncludeMdcKeyName("requestId");
        encoder.start();
        BatchingAppender appender = new BatchingAppender();
        appender.setContext(context);
        appender.setName("test");
        appender.setEncoder(encoder);
        appender.setFile(file.toString());
        appender.start();
        assertThat(appender.isStarted()).isTrue();
        Logger log = context.getLogger("test");
        log.addAppender(appender);
        return log;
    }
}
