package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Test hook, not API: how many reads of each slot's stream found nothing waiting, since this JVM
 * started. A quiet stream that re-polls shows here as a count growing by the hundred every second;
 * one that waits for data ({@link ReadinessWaiter}) makes about one empty read per message the
 * server sends. Keyed by slot name (a slot is streamed by one source at a time), and for the WAL
 * archiver by its directory (which may have no slot); one counter per slot or directory ever
 * streamed, a few bytes each.
 */
@InternalApi
public final class EmptyReads {
  private static final Map<String, LongAdder> BY_SLOT = new ConcurrentHashMap<>();

  private EmptyReads() {}

  static LongAdder counter(String slot) {
    return BY_SLOT.computeIfAbsent(slot, s -> new LongAdder());
  }

  /** Empty reads of {@code slot}'s stream so far. */
  public static long of(String slot) {
    LongAdder c = BY_SLOT.get(slot);
    return c == null ? 0 : c.sum();
  }

  /** The counter of the archiver writing into {@code directory}. */
  public static LongAdder archiveCounter(Path directory) {
    return counter(archiveKey(directory));
  }

  /** Empty reads of the archiver writing into {@code directory} so far. */
  public static long ofArchive(Path directory) {
    return of(archiveKey(directory));
  }

  // No slot name has a '/' or ':', so the keys of slots and directories never meet.
  private static String archiveKey(Path directory) {
    return "archive:" + directory.toAbsolutePath().normalize();
  }
}
