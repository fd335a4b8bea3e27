package dev.hailuo.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway under test as its own process, started as {@code serve} starts it, with
 * {@code -Xmx512m} (issue 4's heap target), on a fixed port and data directory so that it can be
 * restarted with other settings over the same database. Its log goes to {@code node.log} in the
 * benchmark's directory.
 */
final class NodeProcess implements AutoCloseable {
    static final String ADMIN = "bench-admin-token-0123456789";

    private final Path dir;
    private final int port;
    private final Map<String, String> env;
    private Process process;

    private NodeProcess(Path dir, int port, Map<String, String> env) {
        this.dir = dir;
        this.port = port;
        this.env = env;
    }

    /** Starts a node over {@code dir/gw} with these settings (on top of port, data directory and admin token). */
    static NodeProcess start(Path dir, Map<String, String> settings) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(settings);
        env.put("HAILUO_PORT", String.valueOf(port));
        env.put("HAILUO_DATA_DIR", dir.resolve("gw").toString());
        env.put("HAILUO_ADMIN_TOKEN", ADMIN);
        env.putIfAbsent("HAILUO_LOG_LEVEL", "WARN");
        NodeProcess node = new NodeProcess(dir, port, env);
        node.launch();
        return node;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    Path database() {
        return dir.resolve("gw/hailuo.db");
    }

    /** Stops the node (SIGTERM, as an operator would) and starts it again with {@code changes} applied to its settings. */
    void restart(Map<String, String> changes) throws Exception {
        stop();
        env.putAll(changes);
        launch();
    }

    private void launch() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.hailuo.server.Main", "serve"));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()));
        process = builder.start();
        Client client = new Client(baseUrl());
        Client.await(() -> client.get("/readyz", null).statusCode() == 200, Duration.ofMinutes(2));
    }

    private void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The node's heap after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}). */
    String heapAfterFullGc() throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.run").start().waitFor();
        Process info = new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(info.getInputStream().readAllBytes());
        info.waitFor();
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
