package dev.vellum.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A rule's window state: bounded by the engine's shared budget, and carried by its snapshot. */
class EvaluatorStateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIVE_FAILURES_PER_ACTOR =
      "{\"name\":\"five failures\",\"pattern\":{\"type\":[\"LOGIN_FAILED\"]},\"group_by\":[\"actor.id\"],"
          + "\"threshold\":{\"count\":5,\"window_seconds\":600}}";
  private static final long T0 = 1_770_000_000_000_000L;

  private long seq;

  private Evaluator evaluator(StateBudget budget) throws Exception {
    Rule rule =
        new RuleParser(JSON).parse("t", "r1", JSON.readTree(FIVE_FAILURES_PER_ACTOR), 1, T0, T0);
    return new Evaluator(rule, JSON, budget);
  }

  private List<Evaluator.Firing> failedLogin(Evaluator ev, String actor) {
    seq++;
    ObjectNode e = JSON.createObjectNode();
    String id = String.format("00000000-0000-7000-8000-%012d", seq);
    e.put("id", id).put("tenant", "t").put("source", "APP").put("type", "LOGIN_FAILED");
    e.putObject("actor").put("type", "user").put("id", actor);
    long at = T0 + seq * 1_000_000L;
    return ev.onEvent(new Evaluator.Ev(seq, id, at, at, "APP", e));
  }

  @Test
  void aRuleForgetsItsLeastRecentlyActiveGroupsBeyondItsShareOfTheBudget() throws Exception {
    StateBudget budget = new StateBudget();
    budget.rulesLoaded(StateBudget.TOTAL_GROUPS / StateBudget.MIN_GROUPS);
    assertEquals(StateBudget.MIN_GROUPS, budget.groupsPerRule());
    Evaluator ev = evaluator(budget);
    for (int i = 0; i < 4; i++) {
      failedLogin(ev, "steady");
    }
    int others = StateBudget.MIN_GROUPS * 3;
    for (int i = 0; i < others; i++) {
      failedLogin(ev, "user-" + i);
      if (i % 8 == 0) {
        failedLogin(ev, "user-" + i); // a second failure: this actor is active again
      }
    }
    assertTrue(budget.evicted() >= others - StateBudget.MIN_GROUPS);
    // "steady" was the least recently active group, so its four failures were forgotten
    assertEquals(List.of(), failedLogin(ev, "steady"));
    int recent = others - 1;
    for (int i = 0; i < 3; i++) {
      assertEquals(List.of(), failedLogin(ev, "user-" + recent));
    }
    List<Evaluator.Firing> fired = failedLogin(ev, "user-" + recent);
    assertEquals(1, fired.size(), "the most recent group kept its count");
    assertEquals("{\"actor.id\":\"user-" + recent + "\"}", fired.get(0).group().toString());
  }

  @Test
  void aSnapshotCarriesCountsAndSuppressionIntoANewEvaluator() throws Exception {
    Evaluator before = evaluator(StateBudget.forOneRule());
    List<Evaluator.Firing> fired = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fired.addAll(failedLogin(before, "alice"));
    }
    for (int i = 0; i < 3; i++) {
      fired.addAll(failedLogin(before, "bob"));
    }
    assertEquals(1, fired.size());
    String snapshot = before.snapshot();

    Evaluator after = evaluator(StateBudget.forOneRule());
    after.restore(JSON.readTree(snapshot));
    assertEquals(snapshot, after.snapshot());
    assertEquals(List.of(), failedLogin(after, "bob"), "bob's fourth failure");
    List<Evaluator.Firing> bob = failedLogin(after, "bob");
    assertEquals(1, bob.size(), "bob's fifth failure, counted across the restore");
    assertEquals("{\"actor.id\":\"bob\"}", bob.get(0).group().toString());
    assertEquals(5, bob.get(0).triggerIds().size());
  }
}
