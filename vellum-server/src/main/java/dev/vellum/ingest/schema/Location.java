package dev.vellum.ingest.schema;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Where validation is in the event: a stack of member names and array indexes, one per validation,
 * so walking the event allocates nothing. Rendered as a JSON pointer only when an error needs one,
 * which a valid event (the usual case) never does.
 */
final class Location {
  private String[] members = new String[4];
  private int[] indexes = new int[4];
  private int depth;

  void enter(String member) {
    push(member, -1);
  }

  void enter(int index) {
    push(null, index);
  }

  void leave() {
    depth--;
  }

  private void push(@Nullable String member, int index) {
    if (depth == members.length) {
      members = Arrays.copyOf(members, depth * 2);
      indexes = Arrays.copyOf(indexes, depth * 2);
    }
    members[depth] = member;
    indexes[depth] = index;
    depth++;
  }

  /** The RFC 6901 JSON pointer of the current value, "" for the event itself. */
  String pointer() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      sb.append('/');
      if (members[i] == null) {
        sb.append(indexes[i]);
      } else {
        sb.append(escape(members[i]));
      }
    }
    return sb.toString();
  }

  /** The pointer of member {@code name} of the current object (required, additionalProperties). */
  String pointerTo(String name) {
    return pointer() + "/" + escape(name);
  }

  static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
