package io.slotkeeper;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of a WAL archiver ({@code io.slotkeeper.javadsl.WalArchiver}): where to connect, the
 * physical slot and the restart and keepalive behaviour come from a {@link SourceSettings} (its
 * connection, slot name, stream keepalive keys, restart back-off and dispatchers; publication and
 * heartbeat keys do not apply), plus the archive directory and the two start-position choices.
 * Immutable.
 */
public final class ArchiveSettings {
  private final SourceSettings source;
  private final Path directory;
  private final boolean createSlot;
  private final boolean allowGap;

  private ArchiveSettings(
      SourceSettings source, Path directory, boolean createSlot, boolean allowGap) {
    this.source = Objects.requireNonNull(source, "source");
    this.directory = directory;
    this.createSlot = createSlot;
    this.allowGap = allowGap;
  }

  /**
   * @param source connection, slot name (empty: archive without a slot), keepalive and restart
   * @param directory where segments are written; created if missing
   */
  public static ArchiveSettings create(SourceSettings source, Path directory) {
    return new ArchiveSettings(source, directory, false, false);
  }

  public SourceSettings source() {
    return source;
  }

  public Path directory() {
    return directory;
  }

  /** The physical slot's name; empty when archiving without a slot. */
  public String slotName() {
    return source.slot().name();
  }

  /** Create the physical slot (RESERVE_WAL) when it does not exist. */
  public boolean createSlot() {
    return createSlot;
  }

  /**
   * With an empty directory and no slot position, start at the server's current position (and say
   * that WAL before it is not archived) instead of refusing.
   */
  public boolean allowGap() {
    return allowGap;
  }

  public ArchiveSettings withSource(SourceSettings v) {
    return new ArchiveSettings(v, directory, createSlot, allowGap);
  }

  public ArchiveSettings withDirectory(Path v) {
    return new ArchiveSettings(source, v, createSlot, allowGap);
  }

  public ArchiveSettings withCreateSlot(boolean v) {
    return new ArchiveSettings(source, directory, v, allowGap);
  }

  public ArchiveSettings withAllowGap(boolean v) {
    return new ArchiveSettings(source, directory, createSlot, v);
  }

  /**
   * Every check, naming the fix.
   *
   * @throws IllegalArgumentException when the URL or directory is missing, or a slot is to be
   *     created without a name
   */
  public ArchiveSettings validate() {
    if (source.connection().url().isEmpty()) {
      throw new IllegalArgumentException(
          "no database URL: set " + SourceSettings.CONFIG_PATH + ".url (--url)");
    }
    if (directory == null) {
      throw new IllegalArgumentException("no archive directory: give one (--dir)");
    }
    if (createSlot && slotName().isEmpty()) {
      throw new IllegalArgumentException("--create-slot needs a slot name (--slot)");
    }
    return this;
  }

  @Override
  public String toString() {
    return "ArchiveSettings(directory="
        + directory
        + ", createSlot="
        + createSlot
        + ", allowGap="
        + allowGap
        + ", source="
        + source
        + ")";
  }
}
