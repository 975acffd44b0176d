package dev.vellum.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vellum tail [-f]}: the newest events matching the filters, oldest of them first; with
 * {@code -f} it then follows the live stream ({@code GET /v1/events/stream}, Server-Sent Events)
 * and, when the connection drops, resumes after the last event it printed.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = "Print the newest matching events; with -f, follow new ones as they are stored.")
public final class TailCommand extends ApiCommand {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @Mixin FilterOptions filters = new FilterOptions();

  @Option(
      names = {"-n", "--lines"},
      defaultValue = "10",
      description = "How many of the newest events to print first (${DEFAULT-VALUE})")
  int lines;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing events as they are stored")
  boolean follow;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table or json (one event per line)")
  QueryCommand.Format format;

  @Override
  int run(Api api) throws Exception {
    QueryCommand.header(out(), format);
    if (!follow) {
      printNewest(api);
      return 0;
    }
    // subscribe first, then search: an event stored in between comes on the stream, and the
    // stream's copies of events the search printed are skipped by seq (one tenant per key)
    SseReader stream = open(api, null);
    stream.next(); // the "ready" event: the subscription is in place
    long printedUpTo = printNewest(api);
    @Nullable String lastId;
    while (true) {
      try {
        for (JsonNode e; (e = stream.next()) != null; ) {
          if (e.path("seq").asLong(-1) > printedUpTo) {
            QueryCommand.print(out(), format, e);
            out().flush();
          }
        }
      } catch (IOException dropped) {
        err().println("vellum: stream interrupted (" + dropped.getMessage() + "); resuming");
        err().flush();
      }
      lastId = stream.lastId;
      stream = reopen(api, lastId);
    }
  }

  /** Reconnects after the last event seen, once a second, until it works (as tail -F does). */
  private SseReader reopen(Api api, @Nullable String lastId) throws InterruptedException {
    while (true) {
      Thread.sleep(1_000);
      try {
        return open(api, lastId);
      } catch (IOException unreachable) {
        err()
            .println(
                "vellum: cannot reach the server (" + unreachable.getMessage() + "); retrying");
        err().flush();
      }
    }
  }

  /** Prints the newest {@code lines} events, oldest first; returns the highest seq printed. */
  private long printNewest(Api api) {
    long highest = -1;
    if (lines <= 0) {
      return highest;
    }
    JsonNode page =
        api.get(
            "/v1/events?" + filters.queryString() + "order=desc&limit=" + Math.min(lines, 1000));
    List<JsonNode> newest = new ArrayList<>();
    page.path("events").forEach(newest::add);
    for (int i = newest.size() - 1; i >= 0; i--) {
      QueryCommand.print(out(), format, newest.get(i));
      highest = Math.max(highest, newest.get(i).path("seq").asLong(-1));
    }
    out().flush();
    return highest;
  }

  private SseReader open(Api api, @Nullable String lastId)
      throws IOException, InterruptedException {
    String query = filters.queryString();
    query = query.isEmpty() ? "" : "?" + query.substring(0, query.length() - 1);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api.base() + "/v1/events/stream" + query))
            .header("Authorization", "Bearer " + api.key())
            .header("Accept", "text/event-stream")
            .GET();
    if (lastId != null) {
      b.header("Last-Event-ID", lastId);
    }
    HttpResponse<java.io.InputStream> r =
        HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
      throw new Api.Failure(
          "GET /v1/events/stream: HTTP " + r.statusCode() + ": " + body,
          r.statusCode() == 401 || r.statusCode() == 403 ? 2 : 1);
    }
    return new SseReader(
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)), lastId);
  }

  /** Server-Sent Events, one at a time: events as JSON, the ready event as an empty object. */
  private static final class SseReader {
    private final BufferedReader in;
    @Nullable String lastId;

    SseReader(BufferedReader in, @Nullable String lastId) {
      this.in = in;
      this.lastId = lastId;
    }

    /** The next stored event or the ready event; pings are skipped; null at the end. */
    @Nullable JsonNode next() throws IOException {
      String event = "message";
      StringBuilder data = new StringBuilder();
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isEmpty()) {
          if (event.equals("message") && data.length() > 0) {
            return Api.JSON.readTree(data.toString());
          }
          if (event.equals("ready")) {
            return Api.JSON.createObjectNode();
          }
          event = "message";
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          lastId = line.substring(3).trim();
        } else if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        }
      }
      return null;
    }
  }
}
