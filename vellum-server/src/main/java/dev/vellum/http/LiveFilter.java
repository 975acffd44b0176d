package dev.vellum.http;

import dev.vellum.search.SearchDocument;
import dev.vellum.search.SearchQuery;
import dev.vellum.store.NewEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A search filter evaluated on one committed event in memory, for the live tail, which sees events
 * before (or without) the search index. Columns are compared exactly as the index does; targets,
 * tags and full text are taken from the body with {@link SearchDocument}, and the full text is
 * split into words as {@code FilterParser} splits a query ({@code [^\p{L}\p{N}]+}, lower case), so
 * a word matches here when the index's tokenizer finds it too, except for the rare words that
 * FTS5's unicode61 tokenizer splits differently (it folds diacritics).
 */
final class LiveFilter {
  private final SearchQuery q;

  LiveFilter(SearchQuery q) {
    this.q = q;
  }

  boolean matches(NewEvent e) {
    if (!q.tenant().equals(e.tenant())) {
      return false;
    }
    if ((q.fromMicros() != null && e.occurredAtMicros() < q.fromMicros())
        || (q.toMicros() != null && e.occurredAtMicros() >= q.toMicros())) {
      return false;
    }
    if ((q.types() != null && !q.types().contains(e.type()))
        || !eq(q.category(), e.category())
        || !eq(q.source(), e.source())
        || !eq(q.actorId(), e.actorId())
        || !eq(q.actorIp(), e.actorIp())
        || !eq(q.outcome(), e.outcome())
        || !eq(q.severity(), e.severity())
        || !eq(q.sessionId(), e.sessionId())) {
      return false;
    }
    if (q.targetType() == null && q.tag() == null && q.fullText() == null) {
      return true;
    }
    SearchDocument doc = document(e);
    if (q.targetType() != null
        && doc.targets().stream()
            .noneMatch(t -> t[0].equals(q.targetType()) && t[1].equals(q.targetId()))) {
      return false;
    }
    if (q.tag() != null && !doc.tags().contains(q.tag())) {
      return false;
    }
    return q.fullText() == null || textMatches(q.fullText(), doc.text());
  }

  private static SearchDocument document(NewEvent e) {
    try {
      return SearchDocument.parse(e.body());
    } catch (IOException ex) {
      throw new UncheckedIOException("stored body of seq " + e.seq() + " is not JSON", ex);
    }
  }

  static boolean textMatches(SearchQuery.FullText text, String haystack) {
    Set<String> words = new HashSet<>();
    for (String w : haystack.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    List<String> wanted = text.words();
    for (int i = 0; i < wanted.size(); i++) {
      String w = wanted.get(i);
      boolean prefix = text.lastIsPrefix() && i == wanted.size() - 1;
      if (prefix ? words.stream().noneMatch(x -> x.startsWith(w)) : !words.contains(w)) {
        return false;
      }
    }
    return true;
  }

  private static boolean eq(@Nullable String wanted, @Nullable String actual) {
    return wanted == null || wanted.equals(actual);
  }
}
