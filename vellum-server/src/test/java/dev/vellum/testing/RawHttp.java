package dev.vellum.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests that {@code java.net.http} refuses to send: illegal
 * characters in the path, oversized or restricted headers, unknown methods, bodies in other
 * encodings. Every request closes its connection, so the response ends at end of stream.
 */
public final class RawHttp {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RawHttp() {}

  /** A parsed response; {@code json} is null when the body is not JSON. */
  public record Response(int status, Map<String, String> headers, String body, JsonNode json) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Sends {@code head} (request line and headers, without the blank line) and {@code body}. */
  public static Response send(int port, String head, byte[] body) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      String h =
          head
              + "\r\nConnection: close\r\n"
              + (body == null ? "" : "Content-Length: " + body.length + "\r\n")
              + "\r\n";
      out.write(h.getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return read(s.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends {@code head} with {@code Expect: 100-continue} and sends {@code body} only if the server
   * asks for it, as curl does for large bodies: a server that refuses the request by its headers
   * (413 for a too-large Content-Length) answers before any body byte is on the wire, so the answer
   * cannot race an upload the server stopped reading.
   */
  public static Response sendExpectingContinue(int port, String head, byte[] body) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      String h =
          head
              + "\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: "
              + body.length
              + "\r\n\r\n";
      out.write(h.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] first = readHead(in);
      String firstText = new String(first, StandardCharsets.ISO_8859_1);
      if (!firstText.startsWith("HTTP/1.1 100")) {
        return read(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(first), in));
      }
      out.write(body);
      out.flush();
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one response head, up to and including its blank line. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    for (int b; matched < end.length && (b = in.read()) >= 0; ) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toByteArray();
  }

  public static Response request(
      int port, String method, String target, String key, String contentType, byte[] body) {
    StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost");
    if (key != null) {
      head.append("\r\nAuthorization: Bearer ").append(key);
    }
    if (contentType != null) {
      head.append("\r\nContent-Type: ").append(contentType);
    }
    return send(port, head.toString(), body);
  }

  /** Reads a whole response from a stream the server closes after it. */
  public static Response read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try {
      in.transferTo(all);
    } catch (java.net.SocketException reset) {
      // the server may reset after answering a request whose body it did not read
    }
    String text = all.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no complete HTTP response: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    byte[] raw = all.toByteArray();
    String body = new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(body);
    }
    JsonNode json = null;
    try {
      json = body.isEmpty() ? null : JSON.readTree(body);
    } catch (IOException notJson) {
      json = null;
    }
    return new Response(status, headers, body, json);
  }

  private static String dechunk(String body) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < body.length()) {
      int eol = body.indexOf("\r\n", i);
      int size = Integer.parseInt(body.substring(i, eol).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(body, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }
}
