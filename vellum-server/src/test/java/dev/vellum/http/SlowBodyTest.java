package dev.vellum.http;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.config.VellumConfig;
import dev.vellum.testing.RawHttp;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
 * Clients that send a valid write request one byte at a time over real sockets. A body must arrive
 * within the body deadline (408), one key may hold only so many requests open (429), and other keys
 * are served all the while.
 */
class SlowBodyTest {
  private static final int SLOW = 12;
  private static final int MAX_IN_FLIGHT = 4;

  @TempDir Path dir;
  TestNode node;
  ExecutorService pool;

  @BeforeEach
  void start() {
    node =
        TestNode.start(
            dir,
            c ->
                c.withHttp(
                    new VellumConfig.Http(
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(2),
                        MAX_IN_FLIGHT,
                        c.http().tls())));
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    node.close();
  }

  @Test
  @Timeout(60)
  void slowBodiesTimeOutAndAreCappedPerKeyWhileOtherKeysAreServed() throws Exception {
    String other =
        node.post(
                "/v1/keys",
                ADMIN_KEY,
                "{\"name\":\"other\",\"scopes\":[\"events:write\",\"events:read\"]}")
            .body()
            .path("api_key")
            .asText();
    List<String> slowIds = new ArrayList<>();
    List<Socket> sockets = new ArrayList<>();
    List<Future<RawHttp.Response>> slow = new ArrayList<>();
    for (int i = 0; i < SLOW; i++) {
      String id = UUID.randomUUID().toString();
      slowIds.add(id);
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", node.port()), 5_000);
      s.setSoTimeout(30_000);
      sockets.add(s);
      byte[] body =
          node.loginEvent("slow-" + i).put("id", id).toString().getBytes(StandardCharsets.UTF_8);
      slow.add(pool.submit(() -> dribble(s, body)));
    }

    // while the slow requests hold their threads, another key is served normally
    for (int i = 0; i < 5; i++) {
      TestNode.Reply r = node.post("/v1/events", other, node.loginEvent("prompt-" + i));
      assertEquals(200, r.status(), r.raw().body());
      assertEquals(200, node.get("/v1/events?limit=1", other).status());
    }

    int timedOut = 0;
    int capped = 0;
    for (Future<RawHttp.Response> f : slow) {
      RawHttp.Response r = f.get(40, TimeUnit.SECONDS);
      assertTrue(r.status() == 408 || r.status() == 429, () -> r.status() + " " + r.body());
      HostileInputTest.assertProblem(r);
      timedOut += r.status() == 408 ? 1 : 0;
      capped += r.status() == 429 ? 1 : 0;
    }
    assertTrue(timedOut >= 1 && timedOut <= MAX_IN_FLIGHT, "408s: " + timedOut);
    assertTrue(capped >= SLOW - MAX_IN_FLIGHT, "429s: " + capped);
    for (Socket s : sockets) {
      s.close();
    }
    for (String id : slowIds) {
      assertEquals(404, node.get("/v1/events/" + id, ADMIN_KEY).status(), "slow event stored");
    }
    // every slot was given back: the key that sent slowly is served again
    assertEquals(200, node.post("/v1/events", ADMIN_KEY, node.loginEvent("after")).status());
  }

  /** Sends the headers at once and the body a byte every 200 ms until the server answers. */
  private RawHttp.Response dribble(Socket s, byte[] body) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(
        ("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + ADMIN_KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    Future<?> writer =
        pool.submit(
            () -> {
              try {
                for (byte b : body) {
                  out.write(b);
                  out.flush();
                  Thread.sleep(200);
                }
              } catch (IOException | InterruptedException closed) {
                // the server answered and closed the connection
              }
              return null;
            });
    try {
      return RawHttp.read(s.getInputStream());
    } finally {
      writer.cancel(true);
    }
  }
}
