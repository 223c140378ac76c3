package io.slotkeeper.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's package) for the status page's tests: the page's script runs
 * in the browser users have, not in a stand-in. {@code .ci/run} installs the package; on a
 * developer's machine without it the browser tests are skipped with the command that installs it,
 * and under CI (environment variable {@code CI} set) a missing browser fails the run instead, so CI
 * can never pass them by skipping.
 */
final class Chromium {
  private static final List<String> CANDIDATES =
      List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");

  private final Path binary;

  private Chromium(Path binary) {
    this.binary = binary;
  }

  static Chromium require() {
    Optional<Path> found =
        Optional.ofNullable(System.getenv("CHROMIUM"))
            .map(Path::of)
            .or(() -> CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst());
    if (found.isEmpty()) {
      String how = "install Debian's chromium package (apt-get install chromium) or set CHROMIUM";
      if (System.getenv("CI") != null) {
        fail("no Chromium for the status page's browser tests: " + how);
      }
      assumeTrue(false, "no Chromium: " + how);
    }
    return new Chromium(found.get());
  }

  /** The page's DOM after its scripts ran for up to {@code budgetMillis} of virtual time. */
  String dumpDom(String url, int budgetMillis) throws IOException, InterruptedException {
    return run(List.of("--virtual-time-budget=" + budgetMillis, "--dump-dom", url));
  }

  /** A PNG of the page as rendered after {@code budgetMillis} of virtual time. */
  void screenshot(String url, Path png, int budgetMillis) throws IOException, InterruptedException {
    Files.createDirectories(png.toAbsolutePath().getParent());
    run(
        List.of(
            "--virtual-time-budget=" + budgetMillis,
            "--window-size=1100,900",
            "--hide-scrollbars",
            "--screenshot=" + png.toAbsolutePath(),
            url));
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      fail("Chromium wrote no screenshot to " + png);
    }
  }

  private String run(List<String> what) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(binary.toString());
      // As root Chromium needs --no-sandbox; the others keep it from calling out to the network
      // this machine does not have, which would slow every start.
      cmd.addAll(
          List.of(
              "--headless",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
              "--disable-dev-shm-usage",
              "--user-data-dir=" + profile));
      cmd.addAll(what);
      Path out = Files.createTempFile("chromium", ".out");
      Path err = Files.createTempFile("chromium", ".err");
      Process p =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("Chromium did not finish in 90 s: " + Files.readString(err));
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        fail("Chromium exited " + p.exitValue() + ": " + Files.readString(err));
      }
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return stdout;
    } finally {
      try (Stream<Path> s = Files.walk(profile)) {
        s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
