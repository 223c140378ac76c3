package io.slotkeeper.postgres;

import io.slotkeeper.postgres.spi.Backend;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server from the binaries on the classpath: initdb into a private temp directory, pg_ctl to
 * start and stop.
 *
 * <p>pg_ctl rather than a child process of our own: it maps {@link StopMode} one to one onto the
 * server's own shutdown modes, waits for the server to be ready or gone, and keeps working when a
 * root JVM has to go through runuser (which would otherwise sit between us and the postmaster and
 * swallow our signals). The price is that the postmaster is not our child, so a watchdog process
 * (see {@link #startWatchdog()}) stops it if this JVM is killed without running its shutdown hooks.
 */
final class EmbeddedBackend implements Backend {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBackend.class);
  private static final int PORT_ATTEMPTS = 10;

  /**
   * Below Linux's default ephemeral range (32768+), so outgoing connections do not grab our port
   * meanwhile, and below the testkit's TcpProxy range (24000 up), so a proxy that refuses (its
   * listener closed, its port meant to stay unanswered) never finds a server started there since.
   */
  private static final int PORT_MIN = 15000;

  private static final int PORT_MAX = 24000;
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
  private static final Set<Path> VERIFIED_INSTALLS = new HashSet<>();

  private final int major;
  private final Map<String, String> settings;
  private final String password;
  private final Integer walSegmentSizeMb;
  private final Duration startTimeout;

  private Path bin;
  private Map<String, String> toolEnv;
  private OsAccount account;
  private Path root;
  private Path data;
  private Path logFile;
  private volatile int port;
  private volatile boolean running;
  private boolean destroyed;
  private Process watchdog;

  EmbeddedBackend(
      int major,
      Map<String, String> settings,
      String password,
      Integer walSegmentSizeMb,
      Duration startTimeout) {
    this.major = major;
    this.settings = new LinkedHashMap<>(settings);
    this.password = password;
    this.walSegmentSizeMb = walSegmentSizeMb;
    this.startTimeout = startTimeout;
  }

  @Override
  public synchronized void create() {
    try {
      prepare();
      initdb();
      configure();
      startOnFreePort();
    } catch (RuntimeException | Error e) {
      destroy(true);
      throw e;
    } catch (IOException e) {
      destroy(true);
      throw new PostgresServerException("could not prepare PostgreSQL " + major + ": " + e, e);
    }
  }

  /** Fills a new, empty data directory (a base backup); see {@link #createStandby}. */
  @FunctionalInterface
  interface DataFiller {
    void fill(Path data) throws IOException;
  }

  /**
   * Brings a streaming standby up instead of an initdb'd server: {@code filler} copies the data
   * directory (a base backup with its backup_label), then standby.signal and the connection to the
   * upstream server ({@code primary_conninfo}, {@code primary_slot_name} in postgresql.auto.conf,
   * where pg_basebackup -R puts them) make it recover from streamed WAL for ever. Starts on a port
   * of its own; pg_ctl returns once it accepts read-only connections (it reached consistency).
   */
  synchronized void createStandby(DataFiller filler, String primaryConninfo, String slotName) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("primary_conninfo", primaryConninfo);
    conf.put("primary_slot_name", slotName);
    createFromBackup(filler, "standby.signal", conf);
  }

  /**
   * Brings a server up that recovers a base backup from archived WAL: {@code filler} copies the
   * backup (with its backup_label), then recovery.signal and {@code recoveryConf} (e.g. {@code
   * restore_command}, {@code recovery_target_lsn}) in postgresql.auto.conf make it replay what
   * restore_command finds and then end recovery. pg_ctl returns once it accepts connections.
   */
  synchronized void createRecovered(DataFiller filler, Map<String, String> recoveryConf) {
    createFromBackup(filler, "recovery.signal", recoveryConf);
  }

  private void createFromBackup(DataFiller filler, String signal, Map<String, String> extraConf) {
    try {
      prepare();
      Files.createDirectory(
          data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      filler.fill(data);
      writeOwned(data.resolve(signal), "");
      Path autoConf = data.resolve("postgresql.auto.conf");
      StringBuilder conf = new StringBuilder();
      if (Files.exists(autoConf)) {
        // A standby of a standby inherits its upstream's connection lines: replace them.
        for (String line : Files.readAllLines(autoConf, StandardCharsets.UTF_8)) {
          String trimmed = line.trim();
          if (!trimmed.startsWith("primary_conninfo") && !trimmed.startsWith("primary_slot_name")) {
            conf.append(line).append('\n');
          }
        }
      }
      extraConf.forEach(
          (name, value) -> conf.append(name).append(" = ").append(quote(value)).append('\n'));
      writeOwned(autoConf, conf.toString());
      try (Stream<Path> all = Files.walk(data)) {
        for (Path p : (Iterable<Path>) all::iterator) {
          account.own(p);
        }
      }
      startOnFreePort();
    } catch (RuntimeException | Error e) {
      destroy(true);
      throw e;
    } catch (IOException e) {
      destroy(true);
      throw new PostgresServerException(
          "could not prepare a PostgreSQL " + major + " server from a base backup: " + e, e);
    }
  }

  /** The server's data directory (for a base backup of it). */
  Path dataDirectory() {
    return data;
  }

  /** The settings PostgresServer wrote (for a standby, which needs the same ones). */
  synchronized Map<String, String> settings() {
    return new LinkedHashMap<>(settings);
  }

  /** Binaries, OS account, a private root directory and its watchdog: all a server needs. */
  private void prepare() throws IOException {
    Path install = BinaryCache.install(major);
    bin = install.resolve("bin");
    // The binaries carry an $ORIGIN-relative RUNPATH, but set the library path anyway: it costs
    // nothing and
    // keeps a relocated or differently linked build working (libicu, libssl and libxml2 come with
    // them).
    toolEnv =
        Map.of("LD_LIBRARY_PATH", install.resolve("lib").toString(), "LC_ALL", "C", "LANG", "C");
    account = OsAccount.detect();
    verifyBinariesRun(install);

    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    root =
        Files.createTempDirectory(
            tmp,
            "slotkeeper-pg" + major + "-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    account.own(root);
    data = root.resolve("data");
    logFile = root.resolve("server.log");
    startWatchdog();
  }

  private void verifyBinariesRun(Path install) {
    synchronized (VERIFIED_INSTALLS) {
      if (VERIFIED_INSTALLS.contains(install)) {
        return;
      }
      Commands.Result r = tool(List.of(bin.resolve("postgres").toString(), "-V"), Path.of("/"));
      if (!r.ok() || !r.output().contains("PostgreSQL")) {
        throw new PostgresServerException(
            "The PostgreSQL "
                + major
                + " binaries in "
                + install
                + " do not run"
                + (account.switchesUser() ? " as the OS account 'postgres'" : "")
                + ": "
                + r.output()
                + "\nCheck that this account can read and execute that directory and all its "
                + "parents, that the file system is not mounted noexec, and that "
                + install.resolve("lib")
                + " holds the shared libraries.");
      }
      VERIFIED_INSTALLS.add(install);
    }
  }

  private void initdb() throws IOException {
    Path pwfile = root.resolve("superuser.pw");
    writeOwned(pwfile, password + "\n");
    // --auth-host=scram-sha-256 (not -A trust) makes even PostgreSQL 13 store the password as a
    // SCRAM secret,
    // which the scram-sha-256 lines in pg_hba.conf require; the file is replaced in configure()
    // anyway.
    List<String> cmd =
        new ArrayList<>(
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                "postgres",
                "--pwfile=" + pwfile,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                // nothing in a throwaway cluster needs to survive a power cut
                "--no-sync"));
    if (walSegmentSizeMb != null) {
      cmd.add("--wal-segsize=" + walSegmentSizeMb);
    }
    Commands.Result r = tool(cmd, root);
    Files.deleteIfExists(pwfile);
    if (!r.ok()) {
      throw new PostgresServerException(
          "initdb for PostgreSQL " + major + " failed (exit " + r.exitCode() + "):\n" + r.output());
    }
  }

  private void configure() throws IOException {
    writeOwned(
        data.resolve("pg_hba.conf"),
        String.join(
            "\n",
            "# Written by slotkeeper-embedded-postgres.",
            "# The Unix socket lives in a directory only the server account can enter, so trust is safe there.",
            "local   all          all                 trust",
            "local   replication  all                 trust",
            "host    all          all  127.0.0.1/32   scram-sha-256",
            "host    replication  all  127.0.0.1/32   scram-sha-256",
            ""));
    // Our settings live in their own file, rewritten whole on every change, so that a restart with
    // other
    // settings never has to edit initdb's postgresql.conf. ALTER SYSTEM (postgresql.auto.conf)
    // still wins.
    Files.writeString(
        data.resolve("postgresql.conf"),
        "\n# slotkeeper-embedded-postgres\ninclude_if_exists = 'slotkeeper.conf'\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  private void writeSettings() throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("listen_addresses", "127.0.0.1");
    all.put("unix_socket_directories", root.toString());
    all.put("logging_collector", "off");
    all.put("log_destination", "stderr");
    all.putAll(settings);
    all.put("port", Integer.toString(port));
    StringBuilder conf =
        new StringBuilder(
            "# Written by slotkeeper-embedded-postgres; rewritten on every restart.\n");
    all.forEach((k, v) -> conf.append(k).append(" = ").append(quote(v)).append('\n'));
    writeOwned(data.resolve("slotkeeper.conf"), conf.toString());
  }

  /** postgresql.conf string syntax: single quotes, with quotes doubled and backslashes escaped. */
  static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  private void startOnFreePort() throws IOException {
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      port = pickPort();
      writeSettings();
      long logStart = logSize();
      Commands.Result r =
          pgCtl(
              "start",
              "-w",
              "-t",
              Long.toString(startTimeout.toSeconds()),
              "-D",
              data.toString(),
              "-l",
              logFile.toString());
      if (r.ok()) {
        running = true;
        return;
      }
      String newLog = logSince(logStart);
      if (newLog.contains("could not bind") || newLog.contains("Address already in use")) {
        // Another process (often a parallel JVM doing exactly this) took the port between our probe
        // and the server's bind. Try another one.
        LOG.debug("port {} was taken, retrying", port);
        continue;
      }
      pgCtl("stop", "-D", data.toString(), "-m", "immediate", "-w", "-t", "10");
      throw new PostgresServerException(
          "PostgreSQL "
              + major
              + " did not start on port "
              + port
              + ": "
              + r.output()
              + "\n--- server log ---\n"
              + tail(newLog, 40));
    }
    throw new PostgresServerException(
        "PostgreSQL "
            + major
            + " found no free port in "
            + PORT_ATTEMPTS
            + " attempts; see "
            + logFile);
  }

  private static int pickPort() {
    for (int i = 0; i < 100; i++) {
      int candidate = ThreadLocalRandom.current().nextInt(PORT_MIN, PORT_MAX);
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(false);
        probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate));
        return candidate;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new PostgresServerException(
        "no free TCP port on 127.0.0.1 between " + PORT_MIN + " and " + PORT_MAX);
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public boolean running() {
    return running;
  }

  @Override
  public synchronized void stop(StopMode mode) {
    checkNotDestroyed();
    if (!running) {
      throw new IllegalStateException(
          "PostgreSQL " + major + " on port " + port + " is not running");
    }
    Commands.Result r =
        pgCtl(
            "stop",
            "-D",
            data.toString(),
            "-m",
            mode.pgCtlName(),
            "-w",
            "-t",
            Long.toString(startTimeout.toSeconds()));
    if (!r.ok()) {
      throw new PostgresServerException(
          "pg_ctl stop -m " + mode.pgCtlName() + " failed: " + r.output());
    }
    running = false;
  }

  @Override
  public synchronized void start() {
    checkNotDestroyed();
    if (running) {
      throw new IllegalStateException(
          "PostgreSQL " + major + " on port " + port + " is already running");
    }
    long logStart = logSize();
    Commands.Result r =
        pgCtl(
            "start",
            "-w",
            "-t",
            Long.toString(startTimeout.toSeconds()),
            "-D",
            data.toString(),
            "-l",
            logFile.toString());
    if (!r.ok()) {
      throw new PostgresServerException(
          "PostgreSQL "
              + major
              + " did not start again on port "
              + port
              + " (is the port taken by now?): "
              + r.output()
              + "\n--- server log ---\n"
              + tail(logSince(logStart), 40));
    }
    running = true;
  }

  @Override
  public synchronized void restartWith(Map<String, String> changes) {
    checkNotDestroyed();
    changes.forEach(
        (k, v) -> {
          if (v == null) {
            settings.remove(k);
          } else {
            settings.put(k, v);
          }
        });
    if (running) {
      stop(StopMode.FAST);
    }
    try {
      writeSettings();
    } catch (IOException e) {
      throw new PostgresServerException("could not write settings: " + e, e);
    }
    start();
  }

  @Override
  public String log() {
    try {
      return logFile != null && Files.exists(logFile)
          ? new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8)
          : "";
    } catch (IOException e) {
      throw new PostgresServerException("could not read " + logFile + ": " + e, e);
    }
  }

  @Override
  public synchronized void destroy(boolean quick) {
    if (destroyed) {
      return;
    }
    destroyed = true;
    if (data != null && Files.exists(data.resolve("postmaster.pid"))) {
      Commands.Result r = null;
      if (!quick) {
        r = pgCtl("stop", "-D", data.toString(), "-m", "fast", "-w", "-t", "20");
      }
      if (r == null || !r.ok()) {
        r = pgCtl("stop", "-D", data.toString(), "-m", "immediate", "-w", "-t", "10");
      }
      if (!r.ok()) {
        killPostmaster();
      }
    }
    running = false;
    BinaryCache.deleteTree(root);
    if (watchdog != null) {
      watchdog.destroy();
    }
  }

  /**
   * Last resort when pg_ctl cannot stop the server: SIGKILL the postmaster; its children notice and
   * exit.
   */
  private void killPostmaster() {
    try {
      List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
      if (!lines.isEmpty()) {
        long pid = Long.parseLong(lines.get(0).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not kill the postmaster of {}: {}", data, e.toString());
    }
  }

  /**
   * A tiny shell loop that outlives this JVM if it is killed outright (SIGKILL, a Surefire fork
   * timeout), and then stops the server and deletes its files. It ends by itself once our directory
   * is gone, i.e. after a normal close.
   */
  private void startWatchdog() {
    String script =
        String.join(
            "\n",
            "while kill -0 \"$1\" 2>/dev/null && [ -d \"$2\" ]; do sleep 1; done",
            "[ -d \"$2\" ] || exit 0",
            "pid=$(head -n 1 \"$2/data/postmaster.pid\" 2>/dev/null)",
            "if [ -n \"$pid\" ]; then",
            "  kill -QUIT \"$pid\" 2>/dev/null",
            "  i=0",
            "  while kill -0 \"$pid\" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done",
            "  kill -KILL \"$pid\" 2>/dev/null",
            "fi",
            "rm -rf \"$2\"");
    try {
      watchdog =
          new ProcessBuilder(
                  "/bin/sh",
                  "-c",
                  script,
                  "slotkeeper-pg-watchdog",
                  Long.toString(ProcessHandle.current().pid()),
                  root.toString())
              .directory(new File("/"))
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      // The shutdown hook still covers every normal JVM exit; only a hard kill would leak the
      // server.
      LOG.warn("could not start the watchdog for {}: {}", root, e.toString());
    }
  }

  @Override
  public String describe() {
    return "embedded PostgreSQL " + major + " on 127.0.0.1:" + port + " (" + data + ")";
  }

  private void checkNotDestroyed() {
    if (destroyed) {
      throw new IllegalStateException(
          "PostgreSQL " + major + " on port " + port + " has been closed");
    }
  }

  private Commands.Result pgCtl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.resolve("pg_ctl").toString());
    cmd.addAll(Arrays.asList(args));
    return tool(cmd, root);
  }

  private Commands.Result tool(List<String> command, Path workDir) {
    // The working directory must be one the server account can enter, or the tools fail to find
    // themselves.
    return Commands.run(account.wrap(command), toolEnv, workDir, TOOL_TIMEOUT);
  }

  private void writeOwned(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    account.own(file);
  }

  private long logSize() {
    try {
      return Files.exists(logFile) ? Files.size(logFile) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private String logSince(long offset) {
    String all = log();
    byte[] bytes = all.getBytes(StandardCharsets.UTF_8);
    return offset >= bytes.length
        ? ""
        : new String(bytes, (int) offset, bytes.length - (int) offset, StandardCharsets.UTF_8);
  }

  static String tail(String text, int lines) {
    String[] all = text.split("\n", -1);
    int from = Math.max(0, all.length - lines);
    return String.join("\n", Arrays.asList(all).subList(from, all.length));
  }
}
