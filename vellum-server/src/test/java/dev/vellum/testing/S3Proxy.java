package dev.vellum.testing;

import dev.vellum.config.VellumConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server in-process for tests: s3proxy over jclouds' filesystem backend on a
 * random loopback port, with AWS signature authentication and one bucket.
 */
public final class S3Proxy implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access-key";
  public static final String SECRET_KEY = "test-secret-key-0123456789";
  public static final String BUCKET = "vellum-archive";

  private final BlobStoreContext context;
  private final org.gaul.s3proxy.S3Proxy proxy;

  private S3Proxy(Path dir) throws Exception {
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", dir.toString());
    context =
        ContextBuilder.newBuilder("filesystem")
            .credentials("identity", "credential")
            .overrides(props)
            .buildView(BlobStoreContext.class);
    proxy =
        org.gaul.s3proxy.S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.sleep(10);
    }
    context.getBlobStore().createContainerInLocation(null, BUCKET);
  }

  /** Starts a server whose objects live under {@code dir}. */
  public static S3Proxy start(Path dir) throws Exception {
    return new S3Proxy(dir);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** The backend, to tamper with stored objects behind the S3 API's back. */
  public BlobStore blobs() {
    return context.getBlobStore();
  }

  /** Archive settings that put the archive in this server's bucket under {@code prefix}. */
  public VellumConfig.S3 settings(String prefix) {
    return new VellumConfig.S3(
        BUCKET, prefix, endpoint(), "us-east-1", true, ACCESS_KEY, SECRET_KEY);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
