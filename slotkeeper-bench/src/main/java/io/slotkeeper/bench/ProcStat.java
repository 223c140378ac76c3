package io.slotkeeper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** CPU time and memory of a local process, from /proc (Linux); the server runs on this machine. */
final class ProcStat {
  // USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every mainstream Linux.
  private static final long TICK_NANOS = 10_000_000L;

  private ProcStat() {}

  /** User plus system CPU time of {@code pid} in nanoseconds, or 0 when it cannot be read. */
  static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces; everything after its closing parenthesis is
      // fixed.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * A memory figure of {@code pid} from /proc/PID/status in bytes, or 0 when it cannot be read:
   * {@code VmRSS} (resident now) or {@code VmHWM} (the most it was resident since it started).
   */
  static long statusBytes(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          // "VmRSS:	  123456 kB"
          String[] f = line.substring(field.length() + 1).trim().split("\\s+");
          return Long.parseLong(f[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process is gone.
    }
    return 0;
  }
}
