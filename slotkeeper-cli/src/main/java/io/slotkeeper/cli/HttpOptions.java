package io.slotkeeper.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * The status server's flags, the same for every command that serves one ({@code stream}, {@code
 * archive}, {@code cluster}): where to listen, the bearer token and TLS. Each falls back to its
 * {@code slotkeeper.cli} key; {@link #resolve} checks them together before anything connects.
 */
final class HttpOptions {

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT",
      description =
          "Serve GET / (a status page), /status, /metrics (Prometheus), /ready (200 only when"
              + " ACTIVE; for cluster, while this node is Up) and /live on HOST:PORT; a bare PORT"
              + " listens on 127.0.0.1 only.")
  String http;

  @Option(
      names = "--http-token-file",
      paramLabel = "FILE",
      description =
          "Require 'Authorization: Bearer TOKEN' for /status and /metrics, TOKEN read from FILE"
              + " (or from the environment variable "
              + HttpToken.ENV
              + ", which wins). Never a flag value: the command line shows in ps.")
  Path httpTokenFile;

  @Option(
      names = "--http-tls-cert",
      paramLabel = "FILE",
      description =
          "Serve --http over TLS (HTTPS) with this PEM certificate chain (the server's"
              + " certificate first); needs --http-tls-key.")
  Path httpTlsCert;

  @Option(
      names = "--http-tls-key",
      paramLabel = "FILE",
      description =
          "The unencrypted PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----) of"
              + " --http-tls-cert.")
  Path httpTlsKey;

  /** What to serve, when serving at all. */
  record Serving(
      String spec, InetSocketAddress address, Optional<HttpToken> token, SSLContext tls) {
    String scheme() {
      return tls == null ? "http" : "https";
    }

    HttpStatusServer start(HttpStatusServer.Probe probe) {
      return HttpStatusServer.start(address, probe, token, HttpLimits.DEFAULT, tls);
    }

    /** The cluster view of {@code slotkeeper cluster}, with the same token, TLS and limits. */
    ClusterStatusServer startCluster(ClusterStatusServer.Probe probe) {
      return ClusterStatusServer.start(address, probe, token, HttpLimits.DEFAULT, tls);
    }
  }

  /**
   * Empty when no address is given. Reads the token (only when serving: a stale token variable must
   * not stop a command without --http) and the TLS files, and warns when every interface is served
   * without a token.
   */
  Optional<Serving> resolve(CliConfig cfg, Io io) {
    String spec = http != null ? http : cfg.cliString("http").orElse(null);
    if (spec == null) {
      return Optional.empty();
    }
    InetSocketAddress address = HttpStatusServer.parseAddress(spec);
    Path tokenFile =
        httpTokenFile != null
            ? httpTokenFile
            : cfg.cliString("http-token-file").map(Path::of).orElse(null);
    Optional<HttpToken> token = HttpToken.load(io, tokenFile);
    if (token.isEmpty() && !address.getAddress().isLoopbackAddress()) {
      io.warn(
          "--http "
              + spec
              + " serves /status and /metrics to anyone who can reach it; set "
              + HttpToken.ENV
              + " or --http-token-file to require a bearer token");
    }
    return Optional.of(new Serving(spec, address, token, tls(cfg)));
  }

  /** Both TLS files or neither; null for plain HTTP. */
  private SSLContext tls(CliConfig cfg) {
    Path cert =
        httpTlsCert != null
            ? httpTlsCert
            : cfg.cliString("http-tls-cert").map(Path::of).orElse(null);
    Path key =
        httpTlsKey != null ? httpTlsKey : cfg.cliString("http-tls-key").map(Path::of).orElse(null);
    if (cert == null && key == null) {
      return null;
    }
    if (cert == null || key == null) {
      throw CliException.usage(
          "--http-tls-cert and --http-tls-key go together",
          "pass both: the PEM certificate chain and its private key");
    }
    return HttpTls.load(cert, key);
  }
}
