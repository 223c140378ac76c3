package io.slotkeeper;

import java.util.Objects;

/**
 * Where the chunks of a large transaction that the server streams while it is in progress wait for
 * its Stream Commit ({@code spool.*} in reference.conf): up to {@code memoryBudget} bytes in memory
 * for all such transactions of a connection together, the rest in files under {@code directory}, at
 * most {@code diskLimit} bytes of them. Immutable; every {@code withXxx} returns a changed copy.
 */
public final class SpoolSettings {
  private final long memoryBudget;
  private final String directory;
  private final long diskLimit;

  public SpoolSettings(long memoryBudget, String directory, long diskLimit) {
    this.memoryBudget = memoryBudget;
    this.directory = Objects.requireNonNull(directory, "directory");
    this.diskLimit = diskLimit;
  }

  /** Bytes of spooled pgoutput messages kept in memory before further ones go to disk. */
  public long memoryBudget() {
    return memoryBudget;
  }

  /**
   * The spool files' directory; empty means a {@code slotkeeper-spool} folder in java.io.tmpdir.
   */
  public String directory() {
    return directory;
  }

  /**
   * Bytes of spool files at most; when reached the connection stops reading (the server waits)
   * until a spooled transaction has been delivered or dropped.
   */
  public long diskLimit() {
    return diskLimit;
  }

  public SpoolSettings withMemoryBudget(long v) {
    return new SpoolSettings(v, directory, diskLimit);
  }

  public SpoolSettings withDirectory(String v) {
    return new SpoolSettings(memoryBudget, v, diskLimit);
  }

  public SpoolSettings withDiskLimit(long v) {
    return new SpoolSettings(memoryBudget, directory, v);
  }

  @Override
  public String toString() {
    return "SpoolSettings(memoryBudget="
        + memoryBudget
        + ", directory="
        + (directory.isEmpty() ? "<tmp>" : directory)
        + ", diskLimit="
        + diskLimit
        + ")";
  }
}
