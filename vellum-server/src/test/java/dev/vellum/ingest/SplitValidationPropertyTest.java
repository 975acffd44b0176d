package dev.vellum.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import dev.vellum.core.catalog.BuiltInCatalog;
import dev.vellum.core.event.FieldError;
import dev.vellum.core.sample.SampleEvents;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Property: validating an event in two parts (the compiled base schema, then networknt on the type
 * schema without its base reference) decides exactly as networknt on the whole type schema did, and
 * the base part names exactly the pointers networknt names for the base schema.
 *
 * <p>Inputs are realistic events of every built-in type with random damage ({@link EventMutator}).
 * Seeded: a failure message names the seed and case, so it reproduces.
 *
 * <p>Pointers of networknt errors are normalised as {@link EventTypeCatalog#validate} does: a
 * missing or unexpected member is named by its own pointer. Where no branch of the base schema's
 * anyOf (actor.ip) passes, networknt reports each branch's error and the compiled validator one
 * combined error; all sit at the same pointer, so the pointer sets still match.
 */
class SplitValidationPropertyTest {
  private static final long[] SEEDS = {20261128L, 7L, 1234567L, 99L};
  private static final int CASES_PER_SEED = 5_000;
  private static final Instant AT = Instant.parse("2026-01-15T10:00:00Z");

  private final EventTypeCatalog catalog = TenantTypes.builtInsOnly();
  private final SchemaRegistry registry = EventTypeCatalog.newSchemaRegistry();
  private final Schema networkntBase =
      registry.getSchema(SchemaLocation.of(BuiltInCatalog.BASE_SCHEMA_ID));
  private final Map<String, Schema> networkntFull = new HashMap<>();
  private final List<String> types = BuiltInCatalog.typeNames();
  private int undecided;

  @Test
  void acceptsAndRejectsExactlyLikeTheFullSchema() {
    int valid = 0;
    undecided = 0;
    int cases = 0;
    for (long seed : SEEDS) {
      Random rnd = new Random(seed);
      SampleEvents samples = new SampleEvents(seed);
      EventMutator mutator = new EventMutator(rnd);
      for (int i = 0; i < CASES_PER_SEED; i++) {
        ObjectNode event =
            rnd.nextInt(4) == 0
                ? samples.next(AT, "DEMO_APP", 1024)
                : samples.next(types.get(rnd.nextInt(types.size())), AT, "DEMO_APP");
        String type = event.get("type").asText(); // the schema to use, whatever damage follows
        List<String> mutations = mutator.mutate(event);
        if (checkAgrees(
            type, event, "seed " + seed + " case " + i + " " + type + " " + mutations)) {
          valid++;
        }
        cases++;
      }
    }
    // not vacuous: plenty of both outcomes
    assertTrue(valid > cases / 10 && valid < cases * 9 / 10, valid + " of " + cases + " valid");
    assertTrue(undecided < cases / 100, undecided + " cases networknt could not decide");
  }

  /** Asserts the two ways agree on {@code event}; returns whether it is valid. */
  private boolean checkAgrees(String type, JsonNode event, String what) {
    EventTypeCatalog.TypeDef def = catalog.find("t", type).orElseThrow();
    assertNotNull(def.base(), type + " is validated in two parts");
    List<Error> full;
    try {
      full =
          networkntFull
              .computeIfAbsent(type, t -> registry.getSchema(BuiltInCatalog.schema(t)))
              .validate(event);
    } catch (NumberFormatException e) {
      // networknt 2.0.8 throws when it compares an infinite number (1e400) with an enum
      assertRejectsOrThrows(def, event, what + "\n  event: " + abbreviate(event.toString()));
      undecided++;
      return false;
    }
    List<FieldError> split = EventTypeCatalog.validate(def, event);
    String context =
        what
            + "\n  event: "
            + abbreviate(event.toString())
            + "\n  split: "
            + split
            + "\n  full: "
            + full;

    assertEquals(full.isEmpty(), split.isEmpty(), "valid/invalid differs: " + context);
    assertEquals(
        networkntPointers(networkntBase.validate(event)),
        pointers(def.base().validate(event)),
        "base pointers differ: " + context);
    assertEquals(networkntPointers(full), pointers(split), "pointers differ: " + context);
    return split.isEmpty();
  }

  /**
   * Where networknt throws, the split throws too (the enum is in the type part, still networknt) or
   * rejects the event (one of the base schema's enums, which now rejects it cleanly).
   */
  private static void assertRejectsOrThrows(
      EventTypeCatalog.TypeDef def, JsonNode event, String context) {
    try {
      assertFalse(EventTypeCatalog.validate(def, event).isEmpty(), "accepted: " + context);
    } catch (NumberFormatException expected) {
      // as before the split
    }
  }

  private static Set<String> pointers(Collection<FieldError> errors) {
    Set<String> out = new TreeSet<>();
    errors.forEach(e -> out.add(e.pointer()));
    return out;
  }

  private static Set<String> networkntPointers(Collection<Error> errors) {
    Set<String> out = new TreeSet<>();
    errors.forEach(e -> out.add(EventTypeCatalog.pointerOf(e)));
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
  }
}
