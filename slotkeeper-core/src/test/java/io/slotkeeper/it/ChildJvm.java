package io.slotkeeper.it;

import io.slotkeeper.SourceSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A consumer in a JVM of its own, for tests whose subject is the process itself (its heap, its
 * survival): started with this test's class path and the given JVM options, its output (stdout and
 * stderr) in a temporary file. The main class gets the connection and slot as its first five
 * arguments ({@link #sourceSettings}).
 */
final class ChildJvm implements AutoCloseable {
  final Process process;
  final Path output;

  private ChildJvm(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /**
   * Starts {@code main} with {@code jvmOptions}, then url, user, password, slot, publication, then
   * {@code more}.
   */
  static ChildJvm start(
      List<String> jvmOptions,
      Class<?> main,
      String url,
      String user,
      String password,
      String slot,
      String publication,
      String... more)
      throws IOException {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path out = Files.createTempFile(main.getSimpleName(), ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of("-cp", classPath, main.getName(), url, user, password, slot, publication));
    command.addAll(List.of(more));
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    return new ChildJvm(p, out);
  }

  /** In the child: settings for the arguments {@link #start} put first. */
  static SourceSettings sourceSettings(String[] args) {
    return SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
        .withUrl(args[0])
        .withUser(args[1])
        .withPassword(args[2])
        .withSlotName(args[3])
        .withPublications(args[4])
        .withCreateSlotIfMissing(true);
  }

  /** What the child wrote so far. */
  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The output's last {@code chars} characters, for assertion messages. */
  String tail(int chars) {
    String all = output();
    return all.substring(Math.max(0, all.length() - chars));
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    Files.deleteIfExists(output);
  }
}
