package dev.vellum.analytics;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a query: columns, rows (cells are null, Boolean, Number or String), why the rows
 * were cut off if they were, and how complete the view was.
 *
 * @param truncated null when every row is here, else why not ("max_rows", "max_result_bytes")
 */
public record QueryResult(
    List<Column> columns,
    List<List<@Nullable Object>> rows,
    @Nullable String truncated,
    Coverage coverage,
    long elapsedMillis) {

  /** A result column with DuckDB's type name. */
  public record Column(String name, String type) {}

  /**
   * What the view held: archived files read, hot (not yet archived) events loaded and how many
   * there were. When {@code hotLoaded < hotUnarchived} the newest events are missing from the view;
   * {@link #complete} says so.
   */
  public record Coverage(int archiveFiles, long hotLoaded, long hotUnarchived) {
    public boolean complete() {
      return hotLoaded >= hotUnarchived;
    }
  }
}
