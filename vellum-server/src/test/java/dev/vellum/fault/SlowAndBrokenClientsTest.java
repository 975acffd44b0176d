package dev.vellum.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vellum.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misbehaving clients over raw sockets: slow ones that send headers and then dribble the body, and
 * ones that vanish mid-body. Other clients must keep being served, and no part of a half-sent
 * request may be stored.
 */
class SlowAndBrokenClientsTest {
  private static final int SLOW_CLIENTS = 8;

  @TempDir Path tmp;
  private TestNode node;
  private ExecutorService pool;

  @BeforeEach
  void start() {
    node = TestNode.start(tmp.resolve("data"));
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    node.close();
  }

  @Test
  @Timeout(90)
  void slowClientsDribblingTheirBodies_doNotHoldUpOtherClients() throws Exception {
    CountDownLatch othersDone = new CountDownLatch(1);
    CountDownLatch allSending = new CountDownLatch(SLOW_CLIENTS);
    List<Future<String>> slow = new ArrayList<>();
    List<String> slowIds = new ArrayList<>();
    for (int i = 0; i < SLOW_CLIENTS; i++) {
      String body = Events.batch(node, 1, 0, slowIds).toString();
      slow.add(pool.submit(() -> dribble(body, allSending, othersDone)));
    }
    assertTrue(allSending.await(30, TimeUnit.SECONDS), "slow clients could not connect");

    Map<String, Long> acked = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      TestNode.Reply r =
          node.post("/v1/events", TestNode.ADMIN_KEY, Events.batch(node, 5, 0, new ArrayList<>()));
      assertEquals(200, r.status(), () -> r.raw().body());
      acked.putAll(Events.acknowledged(r));
      assertEquals(200, node.get("/v1/events?limit=5", TestNode.ADMIN_KEY).status());
    }
    for (Future<String> f : slow) {
      assertTrue(!f.isDone(), "a slow client finished before the others were served");
    }
    othersDone.countDown();

    for (Future<String> f : slow) {
      String response = f.get(60, TimeUnit.SECONDS);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
    }
    Events.Log log = Events.readAll(node, TestNode.ADMIN_KEY);
    assertTrue(log.problems().isEmpty(), () -> "log problems: " + log.problems());
    assertTrue(Events.lostOrMoved(acked, log).isEmpty());
    assertTrue(log.seqById().keySet().containsAll(slowIds), "a slow client's event was lost");
  }

  @Test
  @Timeout(60)
  void clientsDisconnectingMidBody_storeNothing_andOthersSucceed() throws Exception {
    List<String> cutIds = new ArrayList<>();
    List<Future<?>> broken = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // Two complete events and a third cut off: a streaming parser must not keep the first two.
      ArrayNode batch = Events.batch(node, 3, 200, cutIds);
      String body = batch.toString();
      int cut = body.indexOf(batch.get(2).path("id").asText());
      boolean reset = i % 2 == 0;
      broken.add(
          pool.submit(
              () -> {
                sendAndVanish(body, cut, reset);
                return null;
              }));
    }
    Map<String, Long> acked = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      TestNode.Reply r =
          node.post("/v1/events", TestNode.ADMIN_KEY, Events.batch(node, 5, 0, new ArrayList<>()));
      assertEquals(200, r.status(), () -> r.raw().body());
      acked.putAll(Events.acknowledged(r));
    }
    for (Future<?> f : broken) {
      f.get(30, TimeUnit.SECONDS);
    }
    // A last request after every broken one has closed: the server is still fine.
    TestNode.Reply after =
        node.post("/v1/events", TestNode.ADMIN_KEY, Events.batch(node, 1, 0, new ArrayList<>()));
    assertEquals(200, after.status(), () -> after.raw().body());
    acked.putAll(Events.acknowledged(after));

    Events.Log log = Events.readAll(node, TestNode.ADMIN_KEY);
    assertTrue(log.problems().isEmpty(), () -> "log problems: " + log.problems());
    assertTrue(Events.lostOrMoved(acked, log).isEmpty());
    for (String id : cutIds) {
      assertTrue(!log.seqById().containsKey(id), "event " + id + " of a cut-off request stored");
    }
  }

  private Socket connect() throws IOException {
    URI base = URI.create(node.url("/"));
    Socket s = new Socket();
    s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
    s.setSoTimeout(60_000);
    return s;
  }

  private static String headers(String extra) {
    return "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + TestNode.ADMIN_KEY
        + "\r\nContent-Type: application/json\r\n"
        + extra
        + "\r\n";
  }

  /**
   * Sends the headers and then, in chunked encoding, one byte of leading whitespace every 100 ms
   * for at least three seconds and until {@code release}; then the event. Returns the raw response.
   */
  private String dribble(String body, CountDownLatch sending, CountDownLatch release)
      throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(headers("Transfer-Encoding: chunked\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      sending.countDown();
      long minEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < minEnd || release.getCount() > 0) {
        out.write("1\r\n \r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(100);
      }
      byte[] json = body.getBytes(StandardCharsets.UTF_8);
      out.write((Integer.toHexString(json.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(json);
      out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return readResponse(s.getInputStream());
    }
  }

  /** Sends the headers and the first {@code cut} bytes of the body, then closes or resets. */
  private void sendAndVanish(String body, int cut, boolean reset) throws Exception {
    byte[] json = body.getBytes(StandardCharsets.UTF_8);
    Socket s = connect();
    OutputStream out = s.getOutputStream();
    out.write(
        headers("Content-Length: " + json.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(json, 0, cut);
    out.flush();
    Thread.sleep(200);
    if (reset) {
      s.setSoLinger(true, 0);
    }
    s.close();
  }

  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[4096];
    int n;
    while ((n = in.read(b)) > 0) {
      buf.write(b, 0, n);
      String text = buf.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        // Enough to see the status line; the body is not needed.
        return text;
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
