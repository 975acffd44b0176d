package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.sample.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request bodies generated before the clock starts, so that generating realistic events is not part
 * of what is measured. Each body holds fixed-width placeholders for the event ids and times; {@link
 * #render} copies a body and writes fresh UUIDv7 ids and the current time into them, so every sent
 * event is new (no duplicate detection) and arrives in time order, for the cost of a byte copy.
 */
final class RequestPool {
  static final String ID_MARK = "ffffffff-ffff-7fff-bfff-ffffffffffff";
  static final String TIME_MARK = "1999-12-31T23:59:59.999Z";
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Body(byte[] bytes, int[] idAt, int[] timeAt) {}

  private final List<Body> bodies;
  private final int batch;
  private final long bytes;
  private final long spreadMillis;

  private RequestPool(List<Body> bodies, int batch, long bytes, long spreadMillis) {
    this.bodies = bodies;
    this.batch = batch;
    this.bytes = bytes;
    this.spreadMillis = spreadMillis;
  }

  /**
   * The same bodies, each request dated back by up to {@code spread} from the time it is sent, so
   * the stored events cover a whole period (for time-bucketed stats) instead of the run's minutes.
   * Request {@code n} goes back by the fractional part of {@code n} times the golden ratio: spread
   * evenly over the period whatever the number of requests, and the same for every run.
   */
  RequestPool backdated(java.time.Duration spread) {
    return new RequestPool(bodies, batch, bytes, spread.toMillis());
  }

  /**
   * Generates about {@code budgetBytes} of distinct request bodies of {@code batch} events each (a
   * single event object when {@code batch == 1}), at least one and at most {@code maxRequests}.
   */
  static RequestPool generate(
      long seed, int batch, int eventBytes, String source, long budgetBytes, long maxRequests) {
    SampleEvents samples = new SampleEvents(seed);
    long fit = Math.max(1, budgetBytes / ((long) batch * Math.max(eventBytes, 200)));
    int requests = (int) Math.max(1, Math.min(Math.min(fit, maxRequests), 1_000_000));
    List<Body> bodies = new ArrayList<>(requests);
    Instant at = Instant.parse("2000-01-01T00:00:00Z");
    long total = 0;
    for (int r = 0; r < requests; r++) {
      ArrayNode array = JSON.createArrayNode();
      for (int i = 0; i < batch; i++) {
        ObjectNode e = samples.next(at, source, eventBytes);
        e.put("occurred_at", TIME_MARK);
        ObjectNode withId = JSON.createObjectNode().put("id", ID_MARK);
        withId.setAll(e);
        array.add(withId);
      }
      JsonNode payload = batch == 1 ? array.get(0) : array;
      byte[] b = payload.toString().getBytes(StandardCharsets.UTF_8);
      bodies.add(new Body(b, find(b, ID_MARK, batch), find(b, TIME_MARK, batch)));
      total += b.length;
    }
    return new RequestPool(bodies, batch, total, 0);
  }

  private static int[] find(byte[] body, String mark, int expected) {
    byte[] m = mark.getBytes(StandardCharsets.US_ASCII);
    int[] at = new int[expected];
    int n = 0;
    outer:
    for (int i = 0; i <= body.length - m.length; i++) {
      for (int j = 0; j < m.length; j++) {
        if (body[i + j] != m[j]) {
          continue outer;
        }
      }
      if (n == expected) {
        throw new IllegalStateException(
            "placeholder "
                + mark
                + " occurs more than "
                + expected
                + " times in a generated request");
      }
      at[n++] = i;
      i += m.length - 1;
    }
    if (n != expected) {
      throw new IllegalStateException(
          "placeholder " + mark + " found " + n + " times, expected " + expected);
    }
    return at;
  }

  int batch() {
    return batch;
  }

  int size() {
    return bodies.size();
  }

  long averageRequestBytes() {
    return bytes / bodies.size();
  }

  /**
   * The generated events (with placeholder id and time), for baselines and query values: parsed
   * again from the bodies on each call. The pool keeps only bytes, since an in-process server
   * shares the heap with it and a 64 MiB pool of parsed trees takes several times that.
   */
  List<ObjectNode> events() {
    List<ObjectNode> out = new ArrayList<>(bodies.size() * batch);
    bodies.forEach(b -> eventsOf(b, out));
    return out;
  }

  /** The first generated event (with its placeholders). */
  ObjectNode firstEvent() {
    List<ObjectNode> out = new ArrayList<>(batch);
    eventsOf(bodies.get(0), out);
    return out.get(0);
  }

  private static void eventsOf(Body b, List<ObjectNode> out) {
    try {
      JsonNode payload = JSON.readTree(b.bytes());
      if (payload.isArray()) {
        payload.forEach(e -> out.add((ObjectNode) e));
      } else {
        out.add((ObjectNode) payload);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("a generated request is not JSON", e);
    }
  }

  /** Request body {@code n} (cycling through the pool) with fresh ids and time {@code now}. */
  byte[] render(long n, Instant sentAt) {
    Instant now = sentAt;
    if (spreadMillis > 0) {
      double fraction = (n * 0.6180339887498949) % 1.0;
      now = sentAt.minusMillis((long) (fraction * spreadMillis));
    }
    Body b = bodies.get((int) (n % bodies.size()));
    byte[] out = b.bytes().clone();
    byte[] time = formatTime(now);
    for (int at : b.timeAt()) {
      System.arraycopy(time, 0, out, at, time.length);
    }
    for (int at : b.idAt()) {
      byte[] id = uuid7(now.toEpochMilli()).toString().getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(id, 0, out, at, id.length);
    }
    return out;
  }

  static byte[] formatTime(Instant t) {
    return MILLIS.format(t).getBytes(StandardCharsets.US_ASCII);
  }

  /** RFC 9562 version 7: 48-bit milliseconds, then random bits. */
  static UUID uuid7(long millis) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (millis << 16) | (0x7L << 12) | r.nextInt(1 << 12);
    long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
