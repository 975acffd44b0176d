package dev.vellum.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks the shaded production jar, {@code vellum-server/target/vellum.jar}, after {@code package}
 * (a failsafe test, so {@code ./mvnw -B verify} runs it). Load generators, benchmarks and test
 * libraries belong to vellum-bench and the test classpath; a dependency that drags one of them into
 * the service would ship code nobody reviewed for production and grow the start-up archive.
 *
 * <p>HdrHistogram is the one bench library that cannot be banned by class name: micrometer-core
 * declares it as a runtime dependency (its client-side percentiles), so the production jar holds it
 * through the metrics registry. For it, and for every other bench library, the server's own pom is
 * checked instead: it must not declare them outside the test scope.
 */
class ProductionJarIT {

  /** Class-file prefix in the jar -> what it is, for the failure message. */
  private static final Map<String, String> FORBIDDEN =
      Map.ofEntries(
          Map.entry("org/junit/", "JUnit"),
          Map.entry("org/opentest4j/", "opentest4j (JUnit)"),
          Map.entry("com/code_intelligence/jazzer/", "Jazzer"),
          Map.entry("org/openjdk/jmh/", "JMH"),
          // httpclient5 is a production dependency since notifications: its DNS resolver hook is
          // how webhook connections are pinned to the addresses the outbound guard checked
          Map.entry("com/icegreen/greenmail/", "GreenMail (the SMTP server of the e-mail tests)"),
          Map.entry("dev/vellum/bench/", "vellum-bench (load generators, crash harness)"),
          Map.entry("dev/vellum/benchmarks/", "vellum-bench (JMH benchmarks)"),
          Map.entry("dev/vellum/testing/", "the server's test helpers"));

  private static Path jar() {
    Path jar = Path.of(System.getProperty("vellum.jar", "target/vellum.jar"));
    assertTrue(
        Files.isRegularFile(jar),
        "no production jar at " + jar.toAbsolutePath() + "; this test runs after package");
    return jar;
  }

  @Test
  void productionJar_containsNoBenchOrTestDependency() throws IOException {
    Map<String, List<String>> found = new TreeMap<>();
    try (JarFile jar = new JarFile(jar().toFile())) {
      for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        if (!name.endsWith(".class")) {
          continue;
        }
        for (Map.Entry<String, String> f : FORBIDDEN.entrySet()) {
          if (name.startsWith(f.getKey())) {
            found.computeIfAbsent(f.getValue(), k -> new ArrayList<>()).add(name);
          }
        }
      }
    }
    StringBuilder report = new StringBuilder();
    found.forEach(
        (what, classes) ->
            report
                .append("\n  ")
                .append(what)
                .append(": ")
                .append(classes.size())
                .append(" classes, e.g. ")
                .append(classes.get(0)));
    assertEquals(
        "",
        report.toString(),
        "the production jar "
            + jar()
            + " carries classes that"
            + " belong to vellum-bench or to tests; find the dependency with"
            + " ./mvnw -B -pl vellum-server dependency:tree");
  }

  /** Artifact ids that only vellum-bench or tests may depend on. */
  private static final Set<String> BENCH_OR_TEST_ARTIFACTS =
      Set.of(
          "HdrHistogram",
          "greenmail-junit5",
          "jmh-core",
          "jmh-generator-annprocess",
          "vellum-bench",
          "junit-jupiter",
          "jazzer-junit");

  @Test
  void serverPom_declaresNoBenchOrTestLibraryOutsideTestScope() throws Exception {
    Path pom = Path.of(System.getProperty("vellum.pom", "pom.xml"));
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    List<String> found = new ArrayList<>();
    NodeList deps = doc.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element dep = (Element) deps.item(i);
      String artifact = child(dep, "artifactId");
      String scope = child(dep, "scope");
      if (BENCH_OR_TEST_ARTIFACTS.contains(artifact) && !"test".equals(scope)) {
        found.add(artifact + " (scope " + (scope.isEmpty() ? "compile" : scope) + ")");
      }
    }
    assertEquals(
        List.of(),
        found,
        pom.toAbsolutePath()
            + " declares bench or test libraries for"
            + " production; they belong in vellum-bench/pom.xml or in test scope");
  }

  private static String child(Element e, String tag) {
    NodeList l = e.getElementsByTagName(tag);
    return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
  }

  @Test
  void productionJar_containsTheServiceAndTheVerifier() throws IOException {
    // guards the test above against passing on an empty or wrong jar
    try (JarFile jar = new JarFile(jar().toFile())) {
      for (String cls :
          List.of(
              "dev/vellum/cli/VellumCli.class",
              "dev/vellum/verify/VerifyCommand.class",
              "dev/vellum/core/merkle/Rfc6962.class",
              "io/javalin/Javalin.class",
              "org/sqlite/JDBC.class",
              "dev/vellum/store/postgres/PostgresEventStore.class",
              "org/postgresql/Driver.class",
              "org/flywaydb/database/postgresql/PostgreSQLDatabaseType.class")) {
        assertTrue(jar.getEntry(cls) != null, cls + " missing from " + jar());
      }
    }
  }
}
