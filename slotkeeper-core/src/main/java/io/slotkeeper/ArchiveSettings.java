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
  /**
   * How segment files are compressed, named as pg_receivewal 15+ names them: {@code NAME.gz} /
   * {@code NAME.lz4}, and {@code NAME.gz.partial} / {@code NAME.lz4.partial} while being written.
   */
  public enum Compression {
    /** Plain segments, pre-padded to the segment size as pg_receivewal writes them. */
    NONE(""),
    /** gzip (the JDK's deflater, default level), flushed with SYNC_FLUSH at each fsync. */
    GZIP(".gz"),
    /** An LZ4 frame (lz4-java), a block ended at each fsync. */
    LZ4(".lz4");

    private final String suffix;

    Compression(String suffix) {
      this.suffix = suffix;
    }

    /** What the file name gets before {@code .partial}: {@code ""}, {@code .gz} or {@code .lz4}. */
    public String suffix() {
      return suffix;
    }

    /** {@code none}, {@code gzip} or {@code lz4}, in any case. */
    public static Compression parse(String name) {
      for (Compression c : values()) {
        if (c.name().equalsIgnoreCase(name.trim())) {
          return c;
        }
      }
      throw new IllegalArgumentException("unknown compression " + name + "; use none, gzip or lz4");
    }
  }

  private final SourceSettings source;
  private final Path directory;
  private final boolean createSlot;
  private final boolean allowGap;
  private final Compression compression;
  private final boolean synchronous;
  private final String applicationName;

  private ArchiveSettings(
      SourceSettings source,
      Path directory,
      boolean createSlot,
      boolean allowGap,
      Compression compression,
      boolean synchronous,
      String applicationName) {
    this.source = Objects.requireNonNull(source, "source");
    this.directory = directory;
    this.createSlot = createSlot;
    this.allowGap = allowGap;
    this.compression = Objects.requireNonNull(compression, "compression");
    this.synchronous = synchronous;
    this.applicationName = Objects.requireNonNull(applicationName, "applicationName");
  }

  /**
   * @param source connection, slot name (empty: archive without a slot), keepalive and restart
   * @param directory where segments are written; created if missing
   */
  public static ArchiveSettings create(SourceSettings source, Path directory) {
    return new ArchiveSettings(source, directory, false, false, Compression.NONE, false, "");
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

  /** How segment files are compressed; {@link Compression#NONE} by default. */
  public Compression compression() {
    return compression;
  }

  /**
   * fsync what each write brought and report the flush position to the server at once (not every
   * {@code ack.flush-interval}), so the archiver can serve as a synchronous standby.
   */
  public boolean synchronous() {
    return synchronous;
  }

  /**
   * The replication connection's {@code application_name}, which {@code synchronous_standby_names}
   * names; empty for the default ({@code slotkeeper:SLOT}, or the connection properties' {@code
   * ApplicationName}).
   */
  public String applicationName() {
    return applicationName;
  }

  public ArchiveSettings withSource(SourceSettings v) {
    return new ArchiveSettings(
        v, directory, createSlot, allowGap, compression, synchronous, applicationName);
  }

  public ArchiveSettings withDirectory(Path v) {
    return new ArchiveSettings(
        source, v, createSlot, allowGap, compression, synchronous, applicationName);
  }

  public ArchiveSettings withCreateSlot(boolean v) {
    return new ArchiveSettings(
        source, directory, v, allowGap, compression, synchronous, applicationName);
  }

  public ArchiveSettings withAllowGap(boolean v) {
    return new ArchiveSettings(
        source, directory, createSlot, v, compression, synchronous, applicationName);
  }

  public ArchiveSettings withCompression(Compression v) {
    return new ArchiveSettings(
        source, directory, createSlot, allowGap, v, synchronous, applicationName);
  }

  public ArchiveSettings withSynchronous(boolean v) {
    return new ArchiveSettings(
        source, directory, createSlot, allowGap, compression, v, applicationName);
  }

  public ArchiveSettings withApplicationName(String v) {
    return new ArchiveSettings(
        source, directory, createSlot, allowGap, compression, synchronous, v);
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
        + ", compression="
        + compression
        + ", synchronous="
        + synchronous
        + ", applicationName="
        + applicationName
        + ", source="
        + source
        + ")";
  }
}
