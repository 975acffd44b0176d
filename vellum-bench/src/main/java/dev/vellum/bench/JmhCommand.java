package dev.vellum.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code vellum bench jmh [JMH options] [benchmark regex]}: the JMH runner over the benchmarks in
 * {@code dev.vellum.benchmarks}, with JMH's own options ({@code -w 1s -r 2s -f 1}, {@code -l},
 * {@code -h}, …). JMH forks its measurement JVMs from this jar's class path.
 */
@Command(
    name = "jmh",
    description =
        "Run the JMH micro-benchmarks; every argument goes to JMH"
            + " (try: jmh -h, jmh -l, jmh -w 1s -r 2s -f 1 Merkle).")
final class JmhCommand implements Callable<Integer> {

  // picocli hands over everything untouched, so JMH's -h, -l, -f … keep their JMH meaning
  @Unmatched List<String> jmhArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    org.openjdk.jmh.Main.main(jmhArgs.toArray(String[]::new));
    return 0;
  }
}
