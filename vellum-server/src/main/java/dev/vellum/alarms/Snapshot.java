package dev.vellum.alarms;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/** The signals' values at one sample, immutable. */
public final class Snapshot {
  /** One value of a signal, for one combination of its dimensions. */
  public record Reading(Signal signal, Map<String, String> dimensions, double value) {
    public Reading {
      dimensions = Map.copyOf(dimensions);
    }
  }

  private final long atMicros;
  private final Map<String, Reading> readings;

  Snapshot(long atMicros, Collection<Reading> readings) {
    this.atMicros = atMicros;
    Map<String, Reading> m = new LinkedHashMap<>();
    for (Reading r : readings) {
      m.put(key(r.signal(), r.dimensions()), r);
    }
    this.readings = java.util.Collections.unmodifiableMap(m);
  }

  /** An empty snapshot: before the first sample. */
  public static Snapshot empty() {
    return new Snapshot(0, List.of());
  }

  /** When it was sampled (UTC micros); 0 for the empty snapshot. */
  public long atMicros() {
    return atMicros;
  }

  /** The value of {@code signal} for exactly these dimensions, if it was sampled. */
  public OptionalDouble value(Signal signal, Map<String, String> dimensions) {
    Reading r = readings.get(key(signal, dimensions));
    return r == null ? OptionalDouble.empty() : OptionalDouble.of(r.value());
  }

  public List<Reading> readings() {
    return new ArrayList<>(readings.values());
  }

  private static String key(Signal s, Map<String, String> dims) {
    StringBuilder b = new StringBuilder(s.id());
    new TreeMap<>(dims).forEach((k, v) -> b.append('\u001f').append(k).append('=').append(v));
    return b.toString();
  }
}
