package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.SourceSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input without a database: one line on stderr naming the fix, exit 2 for usage and 1 for run
 * time.
 */
class CliArgsTest {
  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/app";

  private static void assertOneLineError(CliRun r, int code, String... contains) {
    assertThat(r.exitCode).as(r.toString()).isEqualTo(code);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.err)
        .startsWith("slotkeeper: ")
        .contains("Fix: ")
        .doesNotContain("\tat ")
        .contains(contains);
    assertThat(r.out).isEmpty();
  }

  @Test
  void unknownFlagIsAUsageError() {
    assertOneLineError(
        CliRun.run("stream", "--bogus"),
        2,
        "Unknown option: '--bogus'",
        "slotkeeper stream --help");
  }

  @Test
  void unknownCommandSuggestsTheNearestOne() {
    assertOneLineError(CliRun.run("strem"), 2, "'strem'", "stream");
  }

  @Test
  void noCommandIsAUsageError() {
    assertOneLineError(CliRun.run(), 2, "no command given");
  }

  @Test
  void malformedUrl() {
    assertOneLineError(
        CliRun.run("stream", "--url", "postgres://x/y", "--slot", "s", "--publication", "p"),
        2,
        "malformed database URL",
        "jdbc:postgresql://HOST:PORT/DATABASE");
    assertOneLineError(
        CliRun.run("status", "--url", "jdbc:postgresql://host:notaport/db", "s"),
        2,
        "malformed database URL");
  }

  @Test
  void malformedLsn() {
    assertOneLineError(
        CliRun.run(
            "stream", "--url", URL, "--slot", "s", "--publication", "p", "--end-lsn", "12345"),
        2,
        "'12345' is not an LSN",
        "16/B374D848");
  }

  @Test
  void missingSlotOrPublication() {
    assertOneLineError(
        CliRun.run("stream", "--url", URL, "--publication", "p"),
        2,
        "no replication slot",
        "--slot");
    assertOneLineError(
        CliRun.run("stream", "--url", URL, "--slot", "s"), 2, "no publication", "--publication");
    assertOneLineError(
        CliRun.run("stream", "--url", URL, "--slot", "Bad-Name", "--publication", "p"),
        2,
        "not a valid slot name");
    assertOneLineError(
        CliRun.run("stream", "--slot", "s", "--publication", "p"), 2, "no database given", "--url");
  }

  @Test
  void snapshotIsOffOrInitial() {
    assertOneLineError(
        CliRun.run(
            "stream", "--url", URL, "--slot", "s", "--publication", "p", "--snapshot", "full"),
        2,
        "--snapshot",
        "initial");
  }

  @Test
  void originIsAnyOrNone() {
    assertOneLineError(
        CliRun.run("stream", "--url", URL, "--slot", "s", "--publication", "p", "--origin", "all"),
        2,
        "--origin",
        "none");
  }

  @Test
  void streamingIsOffOnOrParallel() {
    assertOneLineError(
        CliRun.run(
            "stream", "--url", URL, "--slot", "s", "--publication", "p", "--streaming", "yes"),
        2,
        "--streaming",
        "parallel");
  }

  @Test
  void tableNeedsCreatePublicationAndHttpNeedsHostPort() {
    assertOneLineError(
        CliRun.run("stream", "--url", URL, "--slot", "s", "--publication", "p", "--table", "t"),
        2,
        "--create-publication");
    assertOneLineError(
        CliRun.run("stream", "--url", URL, "--slot", "s", "--publication", "p", "--http", "nope:x"),
        2,
        "malformed --http address");
  }

  @Test
  void badConfigFiles(@TempDir Path dir) throws IOException {
    assertOneLineError(
        CliRun.run("stream", "--config", dir.resolve("missing.conf").toString()),
        2,
        "does not exist");
    Path broken = Files.writeString(dir.resolve("broken.conf"), "slotkeeper.source { url = \n");
    assertOneLineError(
        CliRun.run("stream", "--config", broken.toString()), 2, "cannot read configuration file");
    Path badValue =
        Files.writeString(dir.resolve("bad.conf"), "slotkeeper.source.connect-timeout = forever\n");
    assertOneLineError(CliRun.run("stream", "--config", badValue.toString()), 2, "connect-timeout");
  }

  @Test
  void unreachableHostIsARuntimeError() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // free once closed: nothing listens there
    }
    CliRun r =
        CliRun.run(
            "stream",
            "--url",
            "jdbc:postgresql://127.0.0.1:" + port + "/app",
            "--slot",
            "s",
            "--publication",
            "p");
    assertOneLineError(
        r, 1, "cannot connect to PostgreSQL at 127.0.0.1:" + port, "server is running");
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun r =
        CliRun.run(
            "slot", "list", "--url", "jdbc:postgresql://127.0.0.1:" + port + "/app", "--verbose");
    assertThat(r.exitCode).isEqualTo(1);
    assertThat(r.err).contains("cannot connect").contains("\tat ");
  }

  @Test
  void theRepositoryApplicationConfIsAcceptedAsItIs() {
    Path conf = Path.of("..", "application.conf");
    assertThat(conf).exists();
    // The whole file is valid core configuration ...
    SourceSettings s =
        SourceSettings.create(
                ConfigFactory.parseFile(conf.toFile()).resolve().getConfig("slotkeeper.source"))
            .validate();
    assertThat(s.slot().name()).isEqualTo("app_slot");
    // ... and the program reads it without a warning; it gets as far as connecting.
    CliRun r =
        CliRun.run(
            Map.of("PGPASSWORD", "x"),
            "stream",
            "--config",
            conf.toString(),
            "--url",
            "jdbc:postgresql://127.0.0.1:1/app");
    assertOneLineError(r, 1, "cannot connect to PostgreSQL at 127.0.0.1:1");
  }

  @Test
  void unknownKeysInTheFileAreReported(@TempDir Path dir) throws IOException {
    Path conf =
        Files.writeString(dir.resolve("typo.conf"), "slotkeeper.source { slot-nmae = x }\n");
    CliRun r =
        CliRun.run("stream", "--config", conf.toString(), "--url", URL, "--publication", "p");
    assertOneLineError(
        r,
        2,
        "in "
            + conf
            + ": unknown key slotkeeper.source.slot-nmae. Fix: did you mean"
            + " slotkeeper.source.slot-name?");
    Path cli = Files.writeString(dir.resolve("cli.conf"), "slotkeeper.cli { htp = \":8080\" }\n");
    assertOneLineError(
        CliRun.run("stream", "--config", cli.toString(), "--url", URL, "--publication", "p"),
        2,
        "unknown key slotkeeper.cli.htp in " + cli + ". Fix: did you mean slotkeeper.cli.http?");
  }

  @Test
  void theRepositoryApplicationConfAndTheProgramsOwnKeysAreAccepted(@TempDir Path dir)
      throws IOException {
    Path conf =
        Files.writeString(
            dir.resolve("ok.conf"),
            "slotkeeper.cli { http = \"127.0.0.1:0\", http-token-file = \"/nonexistent\" }\n"
                + "slotkeeper.source { slot-name = s, slot { temporary = on } }\n");
    CliRun r = CliRun.run("stream", "--config", conf.toString(), "--url", URL);
    // It gets as far as the missing publication: every key was accepted.
    assertOneLineError(r, 2, "no publication given");
    CliRun app =
        CliRun.run(
            "stream", "--config", Path.of("..", "application.conf").toString(), "--slot", "s");
    assertThat(app.err).doesNotContain("unknown key");
  }

  @Test
  void helpAndVersionGoToStdout() {
    CliRun help = CliRun.run("stream", "--help");
    assertThat(help.exitCode).isZero();
    assertThat(help.out).contains("--end-lsn").contains("--create-publication");
    CliRun version = CliRun.run("--version");
    assertThat(version.exitCode).isZero();
    assertThat(version.out).startsWith("slotkeeper ");
  }
}
