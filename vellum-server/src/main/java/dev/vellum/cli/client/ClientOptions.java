package dev.vellum.cli.client;

import picocli.CommandLine.Option;

/** Where the server is and which key to use: flags, else VELLUM_URL and VELLUM_KEY. */
final class ClientOptions {
  @Option(
      names = "--url",
      defaultValue = "${env:VELLUM_URL:-http://localhost:8080}",
      description = "Server URL (default: $VELLUM_URL or ${DEFAULT-VALUE})")
  String url;

  @Option(
      names = "--key",
      defaultValue = "${env:VELLUM_KEY}",
      description = "API key (default: $VELLUM_KEY)")
  String key;

  Api api() {
    if (key == null || key.isBlank()) {
      throw new Api.Failure("no API key: pass --key or set VELLUM_KEY");
    }
    return new Api(url, key);
  }
}
