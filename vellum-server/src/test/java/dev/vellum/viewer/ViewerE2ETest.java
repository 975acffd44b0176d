package dev.vellum.viewer;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.vellum.app.VellumNode;
import dev.vellum.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit viewer end to end: a real node with the demo data, Debian's chromium driven by
 * Playwright, every check of issue 11. Screenshots go to {@code target/viewer-screenshots}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ViewerE2ETest {
  @TempDir static Path dir;
  static VellumNode node;
  static Playwright pw;
  static Browser browser;
  static BrowserContext context;
  static Page page;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Path SHOTS = Path.of("target", "viewer-screenshots");
  static final List<String> browserProblems = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    pw = Chromium.playwright();
    browser = Chromium.launch(pw);
    node = VellumNode.start(TestNode.config(dir).validate(), true);
    // the demo events must be in a signed checkpoint before badges can be green
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> cp = get("/v1/log/checkpoint");
      if (cp.statusCode() == 200 && Long.parseLong(cp.body().split("\n")[1]) >= 500) {
        break;
      }
      Thread.sleep(100);
    }
    Files.createDirectories(SHOTS);
    context =
        browser.newContext(
            new Browser.NewContextOptions().setViewportSize(1280, 800).setAcceptDownloads(true));
    page = watched(context.newPage());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (pw != null) {
      pw.close();
    }
    if (node != null) {
      node.close();
    }
  }

  static Page watched(Page p) {
    p.onConsoleMessage(
        m -> {
          if (m.type().equals("error")) {
            browserProblems.add("console: " + m.text());
          }
        });
    p.onPageError(e -> browserProblems.add("page error: " + e));
    return p;
  }

  static String url(String path) {
    return "http://127.0.0.1:" + node.port() + path;
  }

  static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("Authorization", "Bearer " + ADMIN_KEY)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode getJson(String path) throws Exception {
    HttpResponse<String> r = get(path);
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  static JsonNode post(String path, Object body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() < 300, r.body());
    return JSON.readTree(r.body());
  }

  static String enc(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  static void shot(Page p, String name) {
    p.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")));
  }

  static void signIn(Page p, String key) {
    p.waitForSelector("#api-key");
    p.fill("#api-key", key);
    p.click("form.sign-in button[type=submit]");
  }

  static List<String> shownIds(Page p) {
    p.waitForFunction(
        "() => { const s = document.querySelector('.status');"
            + " return s && /shown|No events/.test(s.textContent); }");
    List<String> ids = new ArrayList<>();
    for (Object id :
        (List<?>)
            p.evaluate(
                "() => Array.from(document.querySelectorAll('#results tr.row')).map(r => r.dataset.id)")) {
      ids.add((String) id);
    }
    return ids;
  }

  static List<String> apiIds(String filter) throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode e : getJson("/v1/events?limit=1000&" + filter).get("events")) {
      ids.add(e.get("id").asText());
    }
    return ids;
  }

  static JsonNode ingest(ObjectNode event) throws Exception {
    return post("/v1/events", event).get("results").get(0);
  }

  static ObjectNode event(String actor) {
    ObjectNode e = JSON.createObjectNode();
    e.put("occurred_at", Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.MILLIS).toString());
    e.put("source", "DEMO_APP");
    e.put("type", "LOGIN_SUCCESSFUL");
    e.put("outcome", "success");
    e.putObject("actor").put("type", "user").put("id", actor).put("ip", "10.1.2.3");
    e.putObject("metadata").put("login_method", "PASSWORD");
    return e;
  }

  /** The most frequent (type, actor) of the demo data with fewer than 50 events. */
  static String[] typeAndActor() throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (JsonNode e : getJson("/v1/events?limit=1000&source=DEMO_APP").get("events")) {
      counts.merge(
          e.get("type").asText() + "\t" + e.get("actor").get("id").asText(), 1, Integer::sum);
    }
    return counts.entrySet().stream()
        .filter(x -> x.getValue() < 50)
        .max(Map.Entry.comparingByValue())
        .orElseThrow()
        .getKey()
        .split("\t");
  }

  @Test
  @Order(1)
  void signIn_rejectsBadAndUnderScopedKeysWithAClearMessage() throws Exception {
    page.navigate(url("/"));
    shot(page, "sign-in");
    signIn(page, "vk_not_a_real_key");
    page.waitForSelector("#sign-in-error:has-text('unknown or revoked')");
    JsonNode logOnly = post("/v1/keys", Map.of("name", "auditor", "scopes", List.of("log:read")));
    signIn(page, logOnly.get("api_key").asText());
    page.waitForSelector("#sign-in-error:has-text('events:read')");
    assertEquals(null, page.evaluate("() => sessionStorage.getItem('vellum.apiKey')"));
    signIn(page, ADMIN_KEY);
    page.waitForSelector("#results");
    assertEquals(ADMIN_KEY, page.evaluate("() => sessionStorage.getItem('vellum.apiKey')"));
    assertFalse(page.url().contains(ADMIN_KEY), "key never in the URL");
    assertTrue(context.cookies().isEmpty(), "no cookies");
    page.waitForSelector("#key-notice:has-text('Pinned the log key')");
  }

  @Test
  @Order(2)
  void search_byTypeAndActor_showsTheApiRows_andTheUrlReproducesTheView() throws Exception {
    String[] ta = typeAndActor();
    page.navigate(url("/#/search"));
    page.selectOption("#f-range", "30d");
    page.fill("#f-type", ta[0]);
    page.fill("#f-actor_id", ta[1]);
    page.click("form.filters button[type=submit]");
    page.waitForURL(u -> u.contains("actor_id="));
    List<String> shown = shownIds(page);
    List<String> api = apiIds("type=" + enc(ta[0]) + "&actor_id=" + enc(ta[1]));
    assertFalse(shown.isEmpty());
    assertEquals(api, shown);
    page.waitForSelector(".timeline canvas");
    shot(page, "search");

    Page other = watched(context.newPage());
    other.navigate(page.url());
    signIn(other, ADMIN_KEY); // sessionStorage is per tab: a shared link asks for the key
    assertEquals(shown, shownIds(other));
    assertEquals(ta[1], other.inputValue("#f-actor_id"));
    other.close();
  }

  @Test
  @Order(3)
  void keyboard_jkEnterEsc() {
    page.locator("body").click(new Locator.ClickOptions().setPosition(1, 1));
    page.keyboard().press("j");
    page.keyboard().press("j");
    page.keyboard().press("k");
    String first =
        (String) page.evaluate("() => document.querySelector('#results tr.row').dataset.id");
    assertEquals(first, page.evaluate("() => document.activeElement.dataset.id"));
    page.keyboard().press("Enter");
    page.waitForSelector("#detail:not([hidden])");
    assertTrue(page.url().contains("event=" + first));
    page.keyboard().press("Escape");
    page.waitForSelector(
        "#detail", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.HIDDEN));
  }

  @Test
  @Order(4)
  void eventDetail_showsTheDiffAndAGreenBadge() throws Exception {
    String id = null;
    for (JsonNode e : getJson("/v1/events?limit=1000&source=DEMO_APP").get("events")) {
      if (e.path("changes").size() > 0 && e.path("session_id").isTextual()) {
        id = e.get("id").asText();
        break;
      }
    }
    assertNotNull(id, "the demo data has events with changes");
    page.navigate(url("/#/search?range=all&event=" + id));
    page.waitForSelector("#badge[data-result]");
    assertEquals("ok", page.getAttribute("#badge", "data-result"), page.innerText("#badge"));
    assertTrue(page.locator("#detail table.diff td.before").count() > 0);
    assertTrue(page.locator("#detail .links a:has-text('Same session')").count() == 1);
    assertTrue(page.locator("#detail .links a:has-text('Same actor')").count() == 1);
    shot(page, "event-detail");
  }

  @Test
  @Order(5)
  void tamperedStoredBytes_turnTheBadgeRed_namingTheStep() throws Exception {
    JsonNode victim = getJson("/v1/events?limit=5&type=LOGIN_SUCCESSFUL").get("events").get(0);
    String id = victim.get("id").asText();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vellum.db"));
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE events SET body = replace(body, '\"outcome\":\"success\"',"
                    + " '\"outcome\":\"failure\"') WHERE id = ?")) {
      ps.setString(1, id);
      assertEquals(1, ps.executeUpdate());
    }
    page.navigate(url("/#/search?range=all&event=" + id));
    page.reload(); // the table still holds the copy read before the bytes changed
    page.waitForSelector("#badge[data-result]");
    assertEquals("failed", page.getAttribute("#badge", "data-result"), page.innerText("#badge"));
    assertEquals("leaf hash", page.getAttribute("#badge", "data-step"));
    assertTrue(page.innerText("#badge").contains("Verification failed at step \"leaf hash\""));
    shot(page, "event-tampered");
  }

  @Test
  @Order(6)
  void changedPinnedKey_raisesTheWarning_andFailsTheSignatureStep() throws Exception {
    page.evaluate(
        """
        async () => {
          const v = await import('/viewer/verify.js');
          const pins = JSON.parse(localStorage.getItem('vellum.pinnedLogKeys'));
          const name = Object.keys(pins)[0];
          const pub = crypto.getRandomValues(new Uint8Array(32));
          const id = v.hex(await v.keyId(name, pub));
          pins[name] = name + '+' + id + '+' + v.b64encode(new Uint8Array([1, ...pub]));
          localStorage.setItem('vellum.pinnedLogKeys', JSON.stringify(pins));
        }""");
    String good =
        getJson("/v1/events?limit=5&type=LOGIN_FAILED").get("events").get(0).get("id").asText();
    page.navigate(url("/#/search?range=all&event=" + good));
    page.reload();
    page.waitForSelector("#key-warning:not([hidden])");
    assertTrue(page.innerText("#key-warning").contains("signing key has changed"));
    page.waitForSelector("#badge[data-result]");
    assertEquals("checkpoint signature", page.getAttribute("#badge", "data-step"));
    shot(page, "key-changed");
    page.click("#key-warning button");
    page.waitForSelector(
        "#key-warning", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.HIDDEN));
  }

  @Test
  @Order(7)
  void exportCsv_rowsEqualTheApiRows() throws Exception {
    String[] ta = typeAndActor();
    page.navigate(url("/#/search?range=30d&type=" + enc(ta[0]) + "&actor_id=" + enc(ta[1])));
    shownIds(page);
    Download d = page.waitForDownload(() -> page.click("button:has-text('Export CSV')"));
    String csv;
    try (InputStream in = d.createReadStream()) {
      csv = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> ids = new ArrayList<>();
    String[] records = csv.split("\r\n");
    assertTrue(records[0].startsWith("seq,id,occurred_at,"));
    for (int i = 1; i < records.length; i++) {
      ids.add(records[i].split(",", 3)[1]);
    }
    assertEquals(apiIds("type=" + enc(ta[0]) + "&actor_id=" + enc(ta[1])), ids);
  }

  @Test
  @Order(8)
  void liveTail_showsAnEventIngestedDuringTheTest() throws Exception {
    page.navigate(url("/#/search?range=1h"));
    shownIds(page);
    page.check("#live");
    page.waitForSelector("#live-status:has-text('connected')");
    ingest(event("tail-watcher@example.com"));
    page.waitForSelector("#results tr.row.new:has-text('tail-watcher@example.com')");
    shot(page, "live-tail");
    page.uncheck("#live");
  }

  @Test
  @Order(9)
  void hostileContent_rendersAndExportsInert() throws Exception {
    ObjectNode e = event("=cmd|' /C calc'!A0");
    e.with("actor")
        .put("name", "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">");
    e.put("reason", "=HYPERLINK(\"http://evil.example\",\"click\") <b>bold</b>");
    String id = ingest(e).get("id").asText();
    page.navigate(url("/#/search?range=1h&q=calc&event=" + id));
    page.waitForSelector("#badge[data-result]");
    assertEquals("ok", page.getAttribute("#badge", "data-result"));
    assertEquals(null, page.evaluate("() => window.__xss === undefined ? null : window.__xss"));
    assertEquals(0, page.locator("#results img, #detail img, #detail b, #results script").count());
    assertTrue(page.innerText("#results").contains("<script>window.__xss=1</script>"));
    assertTrue(page.innerText("#detail").contains("<b>bold</b>"));
    shot(page, "hostile-event");
    Download d = page.waitForDownload(() -> page.click("button:has-text('Export CSV')"));
    String csv;
    try (InputStream in = d.createReadStream()) {
      csv = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(csv.contains(",'=cmd|' /C calc'!A0,"), csv);
    assertTrue(csv.contains("\"'=HYPERLINK("), csv);
    assertFalse(csv.contains(",=") || csv.contains(",\"="), csv);
  }

  @Test
  @Order(10)
  void dashboard_tilesLinkToSearches() {
    page.navigate(url("/#/dashboard"));
    page.waitForSelector(".tile ol.toplist li a");
    assertTrue(page.locator(".tile").count() >= 6);
    assertTrue(page.locator(".tile canvas").count() >= 2);
    String href = page.getAttribute(".tile ol.toplist li a", "href");
    assertTrue(href.startsWith("#/search?"), href);
    shot(page, "dashboard");
  }

  @Test
  @Order(11)
  void integrity_checksConsistencyInTheBrowser() {
    page.navigate(url("/#/integrity"));
    page.waitForSelector("#latest-status.ok");
    page.click("button:has-text('Check consistency')");
    page.waitForSelector("#cons-result.ok");
    assertTrue(page.innerText("#cons-result").startsWith("Consistent"));
    shot(page, "integrity");
  }

  @Test
  @Order(12)
  void tabletLayout_screenshot() {
    Page tablet =
        watched(
            browser
                .newContext(
                    new Browser.NewContextOptions().setViewportSize(820, 1180).setHasTouch(true))
                .newPage());
    tablet.navigate(url("/"));
    signIn(tablet, ADMIN_KEY);
    shownIds(tablet);
    tablet.click("#results tr.row");
    tablet.waitForSelector("#badge[data-result]");
    shot(tablet, "tablet");
    tablet.context().close();
  }

  @Test
  @Order(13)
  void axe_findsNoSeriousOrCriticalIssueOnAnyPage() throws Exception {
    String axe;
    try (InputStream in = ViewerE2ETest.class.getResourceAsStream("/axe.min.js")) {
      axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // axe is injected as an inline script, which the viewer's CSP forbids: this context alone
    // bypasses the CSP, and only to run axe
    BrowserContext ctx =
        browser.newContext(
            new Browser.NewContextOptions().setViewportSize(1280, 800).setBypassCSP(true));
    Page p = ctx.newPage();
    List<String> findings = new ArrayList<>();
    Map<String, Runnable> pages = new java.util.LinkedHashMap<>();
    pages.put("sign-in", () -> p.navigate(url("/")));
    pages.put(
        "search",
        () -> {
          signIn(p, ADMIN_KEY);
          shownIds(p);
          p.waitForSelector(".timeline canvas");
        });
    pages.put(
        "event detail",
        () -> {
          p.click("#results tr.row");
          p.waitForSelector("#badge[data-result]");
        });
    pages.put(
        "dashboard",
        () -> {
          p.navigate(url("/#/dashboard"));
          p.waitForSelector(".tile ol.toplist li a");
        });
    pages.put(
        "integrity",
        () -> {
          p.navigate(url("/#/integrity"));
          p.waitForSelector("#latest-status.ok");
        });
    for (Map.Entry<String, Runnable> e : pages.entrySet()) {
      e.getValue().run();
      p.addScriptTag(new Page.AddScriptTagOptions().setContent(axe));
      Object violations =
          p.evaluate(
              """
          async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))
          """);
      for (Object v : (List<?>) violations) {
        findings.add(e.getKey() + ": " + v);
      }
    }
    ctx.close();
    assertEquals(List.of(), findings);
  }

  @Test
  @Order(14)
  void noCspViolationOrScriptErrorAnywhere() {
    assertEquals(
        List.of(),
        browserProblems.stream().filter(s -> !s.contains("Failed to load resource")).toList());
  }
}
