package dev.hailuo.server.blob;

import dev.hailuo.core.port.BlobStore;
import dev.hailuo.server.config.GatewayConfig;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Blobs as objects in one S3 bucket (AWS SDK v2), so every node reads what any node wrote. A PUT
 * is atomic in S3, so readers never see half an object. Reads are ranged GETs: a media Range
 * request fetches only the bytes it asks for.
 *
 * <p>{@link #put} spools its stream to a temporary file first: S3 needs the length before the
 * body, and callers hand over streams of unknown length.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
    /** Same guard as the local store: keys are made by the gateway, this only catches a bug. */
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9_\\-]+(/[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]*)*");
    static final int MAX_CONNECTIONS = 64;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Path scratch;

    S3BlobStore(S3Client s3, String bucket, String prefix, Path scratch) throws IOException {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.scratch = Files.createDirectories(scratch);
    }

    /**
     * Connects and checks that the bucket exists, so a wrong name or missing credentials stop
     * the start with a clear message instead of failing the first upload.
     */
    public static S3BlobStore open(GatewayConfig.S3 config, Path scratch) throws IOException {
        // The usual AWS chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance or task roles.
        return open(config, scratch, DefaultCredentialsProvider.builder().build());
    }

    public static S3BlobStore open(GatewayConfig.S3 config, Path scratch, AwsCredentialsProvider credentials) throws IOException {
        var builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle())
                // Checksums only where S3 requires them: several S3-compatible stores reject the
                // newer default trailing checksums, and TLS already protects the bytes in transit.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS)
                        .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(60)));
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        S3Client client = builder.build();
        try {
            client.headBucket(b -> b.bucket(config.bucket()));
        } catch (NoSuchBucketException e) {
            client.close();
            throw new IllegalStateException("the S3 bucket \"" + config.bucket() + "\" does not exist (HAILUO_S3_BUCKET)", e);
        } catch (RuntimeException e) {
            client.close();
            throw new IllegalStateException("cannot reach the S3 bucket \"" + config.bucket() + "\""
                    + (config.endpoint() == null ? "" : " at " + config.endpoint()) + ": " + e.getMessage(), e);
        }
        return new S3BlobStore(client, config.bucket(), config.prefix(), scratch);
    }

    @Override
    public long put(String key, InputStream content) throws IOException {
        String object = object(key);
        Path temp = Files.createTempFile(scratch, "s3-put-", ".tmp");
        try {
            long size = Files.copy(content, temp, StandardCopyOption.REPLACE_EXISTING);
            s3.putObject(b -> b.bucket(bucket).key(object).contentLength(size), RequestBody.fromFile(temp));
            return size;
        } catch (S3Exception e) {
            throw new IOException("storing " + key + " in S3 failed: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<Blob> get(String key) throws IOException {
        String object = object(key);
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(bucket).key(object));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IOException("reading " + key + " from S3 failed: " + e.getMessage(), e);
        }
        long size = head.contentLength();
        String etag = head.eTag();
        return Optional.of(new Blob() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream open(long offset) throws IOException {
                if (offset >= size) {
                    return InputStream.nullInputStream();
                }
                try {
                    // If-Match: a range of the object we measured, never of one that replaced it meanwhile.
                    return s3.getObject(b -> b.bucket(bucket).key(object).range("bytes=" + offset + "-").ifMatch(etag));
                } catch (S3Exception e) {
                    throw new IOException("reading " + key + " from S3 failed: " + e.getMessage(), e);
                }
            }
        });
    }

    @Override
    public void delete(String key) throws IOException {
        String object = object(key);
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(object)); // S3 answers 204 for a missing key too
        } catch (S3Exception e) {
            throw new IOException("deleting " + key + " from S3 failed: " + e.getMessage(), e);
        }
    }

    private String object(String key) {
        if (!SAFE_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("unsafe blob key: " + key);
        }
        return prefix + key;
    }

    @Override
    public void close() {
        s3.close();
    }
}
