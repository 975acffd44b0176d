package dev.vellum.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Latency histograms in microseconds, reported in milliseconds. */
final class Latencies {
  private Latencies() {}

  static Histogram histogram() {
    return new Histogram(3_600_000_000L, 3);
  }

  static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  static ObjectNode json(ObjectNode out, Histogram h, double... percentiles) {
    for (double p : percentiles) {
      out.put(label(p), round(ms(h, p)));
    }
    out.put("max_ms", round(h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0));
    out.put("mean_ms", round(h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0));
    return out;
  }

  static String text(Histogram h, double... percentiles) {
    StringBuilder sb = new StringBuilder();
    for (double p : percentiles) {
      sb.append(label(p).replace("_ms", ""))
          .append(' ')
          .append(String.format(Locale.ROOT, "%.2f", ms(h, p)))
          .append(" ms  ");
    }
    sb.append("max ")
        .append(
            String.format(
                Locale.ROOT, "%.2f", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0))
        .append(" ms");
    return sb.toString();
  }

  private static String label(double p) {
    String s = p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p).replace(".", "");
    return "p" + s + "_ms";
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
