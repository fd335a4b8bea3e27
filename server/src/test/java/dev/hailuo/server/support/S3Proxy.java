package dev.hailuo.server.support;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * An S3 server for tests: s3proxy (its Maven artifact, copied to {@code target/s3proxy} by the
 * build) over a directory, as a child process so its own Jetty stays off the gateway's class
 * path. Signed requests only, with a test key pair.
 */
public final class S3Proxy implements AutoCloseable {
    public static final String ACCESS_KEY = "hailuo-test-access";
    public static final String SECRET_KEY = "hailuo-test-secret-0123456789";
    public static final String REGION = "us-east-1";

    private final Process process;
    private final URI endpoint;

    private S3Proxy(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    public static S3Proxy start(Path dir) {
        String jar = System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("s3proxy jar not found at " + jar + ": run the tests through Maven, which copies it");
        }
        try {
            Path data = Files.createDirectories(dir.resolve("s3-data"));
            int port = freePort();
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data) + "\n");
            String java = ProcessHandle.current().info().command().orElse("java");
            Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar, "--properties", properties.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
            S3Proxy proxy = new S3Proxy(process, URI.create("http://127.0.0.1:" + port));
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("s3proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                    }
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
            } catch (RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A client with the test keys, for setting up buckets and looking inside them. */
    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint).region(Region.of(REGION)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /** The environment that points a gateway process at {@code bucket} here, credentials included. */
    public Map<String, String> gatewayEnv(String bucket) {
        return Map.of("HAILUO_S3_ENDPOINT", endpoint.toString(), "HAILUO_S3_BUCKET", bucket, "HAILUO_S3_REGION", REGION,
                "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
