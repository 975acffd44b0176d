package dev.vellum.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * EventBridge's {@code wildcard}: {@code *} stands for any run of characters (also none), {@code
 * \*} for a literal star and {@code \\} for a backslash; two stars in a row are refused, as
 * EventBridge refuses them.
 *
 * <p>The pattern is split at its stars into literal segments s0 * s1 * … * sk. A string matches
 * when it starts with s0, ends with sk, and the middle segments occur in order between them; taking
 * each middle segment at its leftmost place is enough, because a star can absorb anything.
 */
final class Wildcard {
  private final List<String> segments;

  private Wildcard(List<String> segments) {
    this.segments = segments;
  }

  static Wildcard compile(String pattern) {
    List<String> segments = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean lastWasStar = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        if (i + 1 >= pattern.length()
            || (pattern.charAt(i + 1) != '*' && pattern.charAt(i + 1) != '\\')) {
          throw new IllegalArgumentException("wildcard: '\\' escapes only '*' or '\\'");
        }
        cur.append(pattern.charAt(++i));
        lastWasStar = false;
      } else if (c == '*') {
        if (lastWasStar) {
          throw new IllegalArgumentException("wildcard: consecutive '*' are not allowed");
        }
        segments.add(cur.toString());
        cur.setLength(0);
        lastWasStar = true;
      } else {
        cur.append(c);
        lastWasStar = false;
      }
    }
    segments.add(cur.toString());
    return new Wildcard(List.copyOf(segments));
  }

  boolean matches(String s) {
    int k = segments.size() - 1;
    String head = segments.get(0);
    if (k == 0) {
      return s.equals(head);
    }
    String tail = segments.get(k);
    if (s.length() < head.length() + tail.length() || !s.startsWith(head) || !s.endsWith(tail)) {
      return false;
    }
    int pos = head.length();
    int end = s.length() - tail.length();
    for (int i = 1; i < k; i++) {
      String seg = segments.get(i);
      int at = s.indexOf(seg, pos);
      if (at < 0 || at + seg.length() > end) {
        return false;
      }
      pos = at + seg.length();
    }
    return true;
  }
}
