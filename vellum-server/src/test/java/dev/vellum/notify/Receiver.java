package dev.vellum.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP receiver on loopback (the JDK's server, real sockets): answers each request with the
 * next scripted status (then the default), and keeps what it received.
 */
final class Receiver implements AutoCloseable {
  /** One received request. */
  record Request(String path, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue().get(0);
        }
      }
      return null;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A scripted answer: status and extra headers. */
  record Answer(int status, Map<String, String> headers) {}

  final List<Request> received = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();
  private volatile Answer fallback = new Answer(200, Map.of());
  private final HttpServer server;

  Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body;
          try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
          }
          received.add(
              new Request(
                  exchange.getRequestURI().getPath(),
                  Map.copyOf(exchange.getRequestHeaders()),
                  body));
          Answer a = script.poll();
          if (a == null) {
            a = fallback;
          }
          a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
          byte[] out = ("status " + a.status()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(a.status(), out.length);
          try (OutputStream o = exchange.getResponseBody()) {
            o.write(out);
          }
        });
    server.start();
  }

  /** The next answers, in order; after them {@link #always}. */
  Receiver then(int status, Map<String, String> headers) {
    script.add(new Answer(status, headers));
    return this;
  }

  Receiver always(int status) {
    fallback = new Answer(status, Map.of());
    return this;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
