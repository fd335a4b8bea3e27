package dev.hailuo.server.blob;

import dev.hailuo.core.port.BlobStore;
import dev.hailuo.server.config.GatewayConfig;
import dev.hailuo.server.support.S3Proxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The blob port's promises, on local disk and on S3 (s3proxy): whole and partial reads, replace, delete. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"local", "s3"})
class BlobStoreTest {
    private static final String BUCKET = "blob-test";
    @TempDir
    static Path shared;
    static S3Proxy s3proxy;

    @Parameter
    String kind;
    @TempDir
    Path dir;
    BlobStore blobs;

    @BeforeAll
    static void startS3() {
        s3proxy = S3Proxy.start(shared);
        s3proxy.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3() throws InterruptedException {
        s3proxy.close();
    }

    @BeforeEach
    void open() throws IOException {
        blobs = kind.equals("local") ? new LocalBlobStore(dir.resolve("media")) : s3("run-" + dir.getFileName() + "/");
    }

    @AfterEach
    void close() {
        if (blobs instanceof S3BlobStore s3) {
            s3.close();
        }
    }

    private static S3BlobStore s3(String prefix) throws IOException {
        return S3BlobStore.open(new GatewayConfig.S3(s3proxy.endpoint(), BUCKET, S3Proxy.REGION, prefix, true),
                shared.resolve("scratch"), StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY)));
    }

    @Test
    void aStoredBlobReadsBackWholeAndFromAnyOffset() throws IOException {
        byte[] content = new byte[300_000];
        new Random(1).nextBytes(content);
        assertThat(blobs.put("results/task_1.mp4", new ByteArrayInputStream(content))).isEqualTo(content.length);
        BlobStore.Blob blob = blobs.get("results/task_1.mp4").orElseThrow();
        assertThat(blob.size()).isEqualTo(content.length);
        try (InputStream in = blob.open(0)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        try (InputStream in = blob.open(123_456)) {
            byte[] tail = in.readAllBytes();
            assertThat(tail).hasSize(content.length - 123_456);
            assertThat(tail[0]).isEqualTo(content[123_456]);
            assertThat(tail[tail.length - 1]).isEqualTo(content[content.length - 1]);
        }
    }

    @Test
    void aSecondPutReplacesTheFirstAndDeleteRemovesIt() throws IOException {
        blobs.put("uploads/file_1.png", new ByteArrayInputStream("first".getBytes()));
        blobs.put("uploads/file_1.png", new ByteArrayInputStream("second!".getBytes()));
        BlobStore.Blob blob = blobs.get("uploads/file_1.png").orElseThrow();
        assertThat(blob.size()).isEqualTo(7);
        try (InputStream in = blob.open(0)) {
            assertThat(new String(in.readAllBytes())).isEqualTo("second!");
        }
        blobs.delete("uploads/file_1.png");
        assertThat(blobs.get("uploads/file_1.png")).isEmpty();
        blobs.delete("uploads/file_1.png"); // deleting what is gone is not an error (sweeps run on every node)
    }

    @Test
    void aMissingKeyIsEmptyAndAnUnsafeKeyIsRefused() throws IOException {
        assertThat(blobs.get("results/never.mp4")).isEmpty();
        assertThatThrownBy(() -> blobs.get("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> blobs.put("a//b", InputStream.nullInputStream())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void s3KeysLiveUnderTheConfiguredPrefixAndAMissingBucketStopsTheStart() throws IOException {
        Assumptions.assumeTrue(kind.equals("s3"), "prefixes and buckets are S3's alone");
        blobs.put("results/task_9.mp4", new ByteArrayInputStream(new byte[] {1, 2, 3}));
        try (S3Client client = s3proxy.client()) {
            assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix("run-" + dir.getFileName() + "/")).contents())
                    .extracting(S3Object::key).containsExactly("run-" + dir.getFileName() + "/results/task_9.mp4");
        }
        assertThatThrownBy(() -> S3BlobStore.open(new GatewayConfig.S3(s3proxy.endpoint(), "no-such-bucket", S3Proxy.REGION, "",
                true), shared.resolve("scratch"), StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no-such-bucket");
        assertThatThrownBy(() -> S3BlobStore.open(new GatewayConfig.S3(s3proxy.endpoint(), BUCKET, S3Proxy.REGION, "", true),
                shared.resolve("scratch"), StaticCredentialsProvider.create(AwsBasicCredentials.create("wrong", "keys"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(BUCKET);
    }
}
