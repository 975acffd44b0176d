package dev.vellum.http;

import dev.vellum.core.event.FieldError;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request body within a byte limit and a total deadline, and refuses any encoding but
 * UTF-8.
 *
 * <p>Jetty's idle timeout only bounds the gap between two packets, so a client sending one byte a
 * second would hold a request thread for as long as it liked; the deadline bounds the whole body (a
 * read may block up to one idle timeout past it). JSON between systems is UTF-8 (RFC 8259 §8.1);
 * Jackson would otherwise detect UTF-16 or UTF-32 from a byte-order mark or zero bytes (RFC 4627
 * §3) and decode it, and every byte limit, which counts UTF-8 bytes, would then count twice or four
 * times the characters it should allow through.
 */
final class BodyReader {
  private static final String BODY = "vellum.body";
  private final long maxBytes;
  private final Duration timeout;

  BodyReader(long maxBytes, Duration timeout) {
    this.maxBytes = maxBytes;
    this.timeout = timeout;
  }

  /** A 415 unless the Content-Type's charset parameter, if any, is UTF-8. */
  static void requireUtf8Charset(String contentType) {
    if (contentType == null) {
      return;
    }
    String[] parts = contentType.split(";");
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")) {
        String charset = kv[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
        if (!charset.equals("utf-8") && !charset.equals("utf8")) {
          throw notUtf8("Content-Type declares charset " + charset + "; JSON must be UTF-8");
        }
      }
    }
  }

  /** The body, read once per request and then kept on {@code ctx}. */
  byte[] read(Context ctx) {
    byte[] cached = ctx.attribute(BODY);
    if (cached == null) {
      cached = readOnce(ctx);
      ctx.attribute(BODY, cached);
    }
    return cached;
  }

  private byte[] readOnce(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = decoded(ctx.header("Content-Encoding"), ctx.req().getInputStream());
      for (int n; (n = in.read(buf)) != -1; ) {
        out.write(buf, 0, n);
        if (out.size() > maxBytes) {
          throw tooLarge();
        }
        if (System.nanoTime() - deadline > 0) {
          throw slow();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ProblemException p) {
        throw p;
      }
      if (System.nanoTime() - deadline > 0 || isTimeout(e)) {
        throw slow();
      }
      if (e instanceof java.util.zip.ZipException) {
        throw ProblemException.badRequest("the request body is not valid gzip", null);
      }
      // typically the client went away mid-body (Jetty's EofException); nothing was stored
      throw ProblemException.badRequest("the request body could not be read completely", null);
    }
    byte[] body = out.toByteArray();
    requireUtf8Bytes(body);
    return body;
  }

  /**
   * The body as sent, or gunzipped for {@code Content-Encoding: gzip}. The byte limit counts the
   * decoded bytes, so a small compressed body that expands without end (a "zip bomb") is cut off at
   * the limit like any other large body.
   */
  private static InputStream decoded(@Nullable String encoding, InputStream raw)
      throws IOException {
    if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
      return raw;
    }
    if (encoding.trim().equalsIgnoreCase("gzip")) {
      return new java.util.zip.GZIPInputStream(raw, 16 * 1024);
    }
    throw ProblemException.unsupportedMediaType(
        "Content-Encoding " + encoding.trim() + " is not supported; send gzip or no encoding");
  }

  /**
   * Refuses the byte patterns by which a JSON parser recognises UTF-16 or UTF-32: a byte-order
   * mark, or a zero byte among the first four (ASCII JSON syntax never has one in UTF-8).
   */
  static void requireUtf8Bytes(byte[] body) {
    int n = Math.min(4, body.length);
    if (n >= 2
        && (((body[0] & 0xff) == 0xfe && (body[1] & 0xff) == 0xff)
            || ((body[0] & 0xff) == 0xff && (body[1] & 0xff) == 0xfe))) {
      throw notUtf8(
          "request body starts with a UTF-16 or UTF-32 byte-order mark; JSON must be" + " UTF-8");
    }
    for (int i = 0; i < n; i++) {
      if (body[i] == 0) {
        throw notUtf8(
            "request body looks like UTF-16 or UTF-32 (a zero byte at offset "
                + i
                + "); JSON must be UTF-8");
      }
    }
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException
          || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private ProblemException tooLarge() {
    return ProblemException.tooLarge(
        "request body is larger than the limit of " + maxBytes + " bytes");
  }

  private ProblemException slow() {
    return new ProblemException(
        408,
        "request-timeout",
        "Request timeout",
        "the request body did not arrive within " + timeout.toSeconds() + " s",
        null,
        Map.of("Connection", "close"));
  }

  private static ProblemException notUtf8(String detail) {
    return new ProblemException(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        detail,
        List.of(new FieldError("", "must be UTF-8")),
        null);
  }
}
