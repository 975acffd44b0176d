package dev.vellum.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.vellum.core.event.FieldError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an ingest body (one event object or an array of them) in one streaming pass, noting each
 * event's size in bytes from the parser's offsets so the per-event limit needs no second
 * serialisation.
 */
final class SizedEvents {
  /** One event and the number of bytes it took in the request. */
  record Sized(JsonNode event, long bytes) {}

  private SizedEvents() {}

  static List<Sized> read(byte[] body, ObjectMapper json, int maxEvents) {
    // elements are read one at a time from a shared parser; the trailing-token check is done
    // once, at the end, by hand
    ObjectReader elements = json.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    try (JsonParser p = json.getFactory().createParser(body)) {
      JsonToken first = p.nextToken();
      List<Sized> out = new ArrayList<>();
      if (first == JsonToken.START_OBJECT) {
        out.add(new Sized(elements.readTree(p), body.length));
      } else if (first == JsonToken.START_ARRAY) {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (out.size() == maxEvents) {
            throw ProblemException.tooLarge("at most " + maxEvents + " events per request");
          }
          long start = p.currentTokenLocation().getByteOffset();
          JsonNode e = elements.readTree(p);
          out.add(new Sized(e, p.currentLocation().getByteOffset() - start));
        }
        if (out.isEmpty()) {
          throw ProblemException.badRequest("the array of events is empty", null);
        }
      } else if (first == null) {
        throw ProblemException.badRequest("request body is empty; expected JSON", null);
      } else {
        throw ProblemException.badRequest(
            "body must be an event object or an array of events",
            List.of(new FieldError("", "expected an object or an array")));
      }
      if (p.nextToken() != null) {
        throw ProblemException.badRequest(
            "unexpected content after the JSON value at line "
                + p.currentTokenLocation().getLineNr()
                + ", column "
                + p.currentTokenLocation().getColumnNr(),
            List.of(new FieldError("", "trailing data")));
      }
      return out;
    } catch (JsonProcessingException e) {
      throw ProblemHandlers.malformed(e);
    } catch (IOException e) {
      throw ProblemException.badRequest("cannot read request body", null);
    }
  }
}
