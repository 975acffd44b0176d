package dev.vellum.objectstore;

import dev.vellum.config.VellumConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3-compatible bucket through the AWS SDK for Java v2: AWS itself, or MinIO, Ceph,
 * s3proxy and the like through an endpoint override and path-style addressing.
 *
 * <p>Verification reads back what the store holds: after a put, the object is downloaded and its
 * size and SHA-256 compared with the local file. ETags are not used: for multipart or
 * server-side-encrypted uploads they are not an MD5 of the content, and S3's own SHA-256 checksums
 * are not offered by every S3-compatible server. The SDK's automatic CRC checksums are switched off
 * ({@code WHEN_REQUIRED}, STACK.md) for the same reason. {@link #head} hashes the object too, so it
 * reads the whole object: it is meant for verification, not for listing.
 */
public final class S3ObjectStore implements ObjectStore {
  private final S3Client s3;
  private final String bucket;

  /** The key prefix, "" or ending in '/'. */
  private final String prefix;

  private S3ObjectStore(S3Client s3, String bucket, String prefix) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix.isEmpty() ? "" : prefix + "/";
  }

  /** A client for the configured bucket; credentials static when set, else the default chain. */
  public static S3ObjectStore open(VellumConfig.S3 settings) {
    String bucket = settings.bucket();
    if (bucket == null) {
      throw new IllegalArgumentException("archive.s3.bucket is required with archive.store: s3");
    }
    S3ClientBuilder b =
        S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .region(Region.of(settings.region()))
            .forcePathStyle(settings.pathStyle())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .credentialsProvider(credentials(settings));
    String endpoint = settings.endpoint();
    if (endpoint != null) {
      b.endpointOverride(URI.create(endpoint));
    }
    return new S3ObjectStore(b.build(), bucket, settings.prefix());
  }

  private static AwsCredentialsProvider credentials(VellumConfig.S3 settings) {
    String id = settings.accessKeyId();
    String secret = settings.secretAccessKey();
    if (id != null && secret != null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  private String full(String key) {
    return prefix + ObjectStore.checkKey(key);
  }

  @Override
  public StoredObject put(String key, Path file) throws IOException {
    ObjectStore.checkKey(key); // before the file is read
    return upload(key, RequestBody.fromFile(file), Files.size(file), Sha256.of(file));
  }

  @Override
  public StoredObject put(String key, byte[] content) throws IOException {
    return upload(key, RequestBody.fromBytes(content), content.length, Sha256.of(content));
  }

  @Override
  public StoredObject moveIn(String key, Path file, String sha256Hex) throws IOException {
    ObjectStore.checkKey(key);
    StoredObject stored = upload(key, RequestBody.fromFile(file), Files.size(file), sha256Hex);
    Files.deleteIfExists(file);
    return stored;
  }

  /** Puts the body, then downloads the object and checks its size and SHA-256. */
  private StoredObject upload(String key, RequestBody body, long size, String sha)
      throws IOException {
    ObjectStore.checkKey(key);
    try {
      s3.putObject(r -> r.bucket(bucket).key(full(key)).contentLength(size), body);
    } catch (SdkException e) {
      throw new IOException(
          "upload of " + key + " to " + describe() + " failed: " + e.getMessage(), e);
    }
    StoredObject stored =
        head(key).orElseThrow(() -> new IOException("uploaded object " + key + " is not there"));
    if (stored.size() != size || !stored.sha256Hex().equals(sha)) {
      throw new IOException(
          "stored object "
              + key
              + " does not match the local file: size "
              + stored.size()
              + " sha256 "
              + stored.sha256Hex()
              + ", expected size "
              + size
              + " sha256 "
              + sha);
    }
    return stored;
  }

  @Override
  public Optional<StoredObject> head(String key) throws IOException {
    try (ResponseInputStream<GetObjectResponse> in = open(key)) {
      if (in == null) {
        return Optional.empty();
      }
      MessageDigest digest = Sha256.newDigest();
      byte[] buffer = new byte[64 * 1024];
      long size = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
        size += n;
      }
      return Optional.of(new StoredObject(key, size, HexFormat.of().formatHex(digest.digest())));
    }
  }

  @Override
  public boolean get(String key, Path target) throws IOException {
    try (InputStream in = open(key)) {
      if (in == null) {
        return false;
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return true;
    }
  }

  private @Nullable ResponseInputStream<GetObjectResponse> open(String key) throws IOException {
    try {
      return s3.getObject(r -> r.bucket(bucket).key(full(key)));
    } catch (NoSuchKeyException e) {
      return null;
    } catch (SdkException e) {
      throw new IOException(
          "read of " + key + " from " + describe() + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> list(String keyPrefix, String afterKey, int limit) throws IOException {
    ObjectStore.checkPrefix(keyPrefix);
    List<String> keys = new ArrayList<>();
    String start = afterKey.isEmpty() ? "" : prefix + afterKey;
    try {
      while (keys.size() < limit) {
        String after = keys.isEmpty() ? start : prefix + keys.get(keys.size() - 1);
        int want = Math.min(1000, limit - keys.size());
        ListObjectsV2Response page =
            s3.listObjectsV2(
                r -> {
                  r.bucket(bucket).prefix(prefix + keyPrefix).maxKeys(want);
                  if (!after.isEmpty()) {
                    r.startAfter(after);
                  }
                });
        for (S3Object o : page.contents()) {
          keys.add(o.key().substring(prefix.length()));
        }
        if (!Boolean.TRUE.equals(page.isTruncated()) || page.contents().isEmpty()) {
          break;
        }
      }
    } catch (SdkException e) {
      throw new IOException(
          "listing " + keyPrefix + " in " + describe() + " failed: " + e.getMessage(), e);
    }
    return keys;
  }

  @Override
  public boolean delete(String key) throws IOException {
    try {
      boolean existed;
      try {
        s3.headObject(r -> r.bucket(bucket).key(full(key)));
        existed = true;
      } catch (NoSuchKeyException e) {
        existed = false;
      }
      if (existed) {
        s3.deleteObject(r -> r.bucket(bucket).key(full(key)));
      }
      return existed;
    } catch (SdkException e) {
      throw new IOException(
          "delete of " + key + " in " + describe() + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public void close() {
    s3.close();
  }
}
