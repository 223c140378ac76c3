package io.slotkeeper.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A contender that runs as its own process writing its output to a pipe: this JVM reads the pipe on
 * one thread and hands every chunk to a {@link Reader}, which counts changes into the listener (the
 * part a {@code | wc -l} would play). The child's CPU and memory come from /proc, so they are its
 * own, not this JVM's; stderr goes to a log file under target/ for when it fails.
 */
final class ChildProcess implements Contender.Running {

  /** Consumes the child's stdout; called on the pipe-reading thread only. */
  interface Reader {
    void read(byte[] buf, int len);
  }

  private final Process process;
  private final Thread pump;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final String name;
  private final Path stderr;
  // The child's CPU time and System.nanoTime() when its first output arrived (0 before): its
  // start-up (a JVM's class loading, JIT warm-up, connecting) is what came before.
  private volatile long firstOutputCpuNanos;
  private volatile long firstOutputAtNanos;

  ChildProcess(String name, List<String> command, Map<String, String> env, Reader reader)
      throws IOException {
    this.name = name;
    Path dir = Paths.get("target", "children");
    Files.createDirectories(dir);
    this.stderr = dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".stderr.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
    pb.environment().putAll(env);
    this.process = pb.start();
    this.pump =
        new Thread(
            () -> {
              byte[] buf = new byte[1 << 16];
              try (InputStream in = process.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                  if (firstOutputAtNanos == 0) {
                    firstOutputCpuNanos = ProcStat.cpuNanos(process.pid());
                    firstOutputAtNanos = System.nanoTime();
                  }
                  reader.read(buf, n);
                }
                done.complete(null);
              } catch (Throwable t) {
                done.completeExceptionally(t);
              }
            },
            "pipe-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  long pid() {
    return process.pid();
  }

  long firstOutputCpuNanos() {
    return firstOutputCpuNanos;
  }

  long firstOutputAtNanos() {
    return firstOutputAtNanos;
  }

  @Override
  public void stall() {
    throw new UnsupportedOperationException(name + " runs as its own process: catch-up only");
  }

  @Override
  public void resume() {}

  @Override
  public Throwable failure() {
    Throwable failed = Contender.failureOf(done);
    if (failed != null) {
      return failed;
    }
    if (!process.isAlive()) {
      // Its output ended before the counter's target: the child stopped on its own.
      return new IllegalStateException(
          name + " exited with " + process.exitValue() + "; its stderr is in " + stderr);
    }
    return null;
  }

  /** SIGTERM (the programs under test drain and exit on it), SIGKILL after 30 s. */
  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    pump.join(TimeUnit.SECONDS.toMillis(10));
  }

  /** The java launcher this JVM runs with: the children run on the same JDK. */
  static String java() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The command for a child JVM: the java launcher, then {@code SLOTKEEPER_BENCH_CHILD_JAVA_OPTS}
   * (split at spaces; e.g. a flight recording for profiling), then {@code args}.
   */
  static List<String> javaCommand(String... args) {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(java());
    String opts = System.getenv("SLOTKEEPER_BENCH_CHILD_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(List.of(opts.trim().split("\\s+")));
    }
    cmd.addAll(List.of(args));
    return cmd;
  }
}
