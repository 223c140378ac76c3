package io.slotkeeper.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The bearer token that guards {@code /status} and {@code /metrics}. It comes from the environment
 * ({@value #ENV}) or from a file ({@code --http-token-file}, {@code
 * slotkeeper.cli.http-token-file}), never from a flag's value: the command line of a process is
 * readable by every user of the machine ({@code ps}, {@code /proc/PID/cmdline}).
 */
final class HttpToken {
  static final String ENV = "SLOTKEEPER_HTTP_TOKEN";

  private final byte[] token;

  private HttpToken(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /** The environment's token wins over a file's, as PGPASSWORD wins over a config file. */
  static Optional<HttpToken> load(Io io, Path file) {
    String env = io.env(ENV);
    if (env != null) {
      return Optional.of(of(env.strip(), "the environment variable " + ENV));
    }
    if (file == null) {
      return Optional.empty();
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw CliException.usage(
          "cannot read the HTTP token file " + file + ": " + e.getClass().getSimpleName(),
          "pass the path of a readable file holding the token to --http-token-file");
    }
    return Optional.of(of(text.strip(), "the file " + file));
  }

  private static HttpToken of(String token, String where) {
    if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw CliException.usage(
          "the HTTP token in " + where + " is empty or has spaces or control characters",
          "use a token of printable ASCII characters, e.g. the output of: openssl rand -hex 32");
    }
    return new HttpToken(token);
  }

  /** Whether an Authorization header carries this token; compares in constant time. */
  boolean accepts(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  @Override
  public String toString() {
    return "HttpToken(***)";
  }
}
