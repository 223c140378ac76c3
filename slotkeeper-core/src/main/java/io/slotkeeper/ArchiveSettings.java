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
   * zstd, which pg_receivewal refuses ("compression with ZSTD is not yet supported", 15 and 16),
   * gets PostgreSQL's own suffix for it ({@code .zst}, as pg_basebackup's {@code base.tar.zst}) in
   * the same pattern: {@code NAME.zst}, {@code NAME.zst.partial}.
   */
  public enum Compression {
    /** Plain segments, pre-padded to the segment size as pg_receivewal writes them. */
    NONE("", 0, 0),
    /** gzip (the JDK's deflater, default level 6), flushed with SYNC_FLUSH at each fsync. */
    GZIP(".gz", 1, 9),
    /**
     * An LZ4 frame (lz4-java; level 1 the fast compressor, above it LZ4 HC), a block ended at each
     * fsync.
     */
    LZ4(".lz4", 1, 12),
    /** A zstd frame (zstd-jni, default level 3, with a checksum), a block flushed at each fsync. */
    ZSTD(".zst", 1, 22);

    private final String suffix;
    private final int minLevel;
    private final int maxLevel;

    Compression(String suffix, int minLevel, int maxLevel) {
      this.suffix = suffix;
      this.minLevel = minLevel;
      this.maxLevel = maxLevel;
    }

    /**
     * What the file name gets before {@code .partial}: {@code ""}, {@code .gz}, {@code .lz4} or
     * {@code .zst}.
     */
    public String suffix() {
      return suffix;
    }

    /** {@code none}, {@code gzip}, {@code lz4} or {@code zstd}, in any case. */
    public static Compression parse(String name) {
      for (Compression c : values()) {
        if (c.name().equalsIgnoreCase(name.trim())) {
          return c;
        }
      }
      throw new IllegalArgumentException(
          "unknown compression " + name + "; use none, gzip, lz4 or zstd");
    }
  }

  private final SourceSettings source;
  private final Path directory;
  private final boolean createSlot;
  private final boolean allowGap;
  private final Compression compression;
  private final int compressionLevel;
  private final boolean synchronous;
  private final String applicationName;

  private ArchiveSettings(
      SourceSettings source,
      Path directory,
      boolean createSlot,
      boolean allowGap,
      Compression compression,
      int compressionLevel,
      boolean synchronous,
      String applicationName) {
    this.compressionLevel = compressionLevel;
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
    return new ArchiveSettings(source, directory, false, false, Compression.NONE, 0, false, "");
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

  /** The compression level; 0 for the method's default. */
  public int compressionLevel() {
    return compressionLevel;
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
        v,
        directory,
        createSlot,
        allowGap,
        compression,
        compressionLevel,
        synchronous,
        applicationName);
  }

  public ArchiveSettings withDirectory(Path v) {
    return new ArchiveSettings(
        source,
        v,
        createSlot,
        allowGap,
        compression,
        compressionLevel,
        synchronous,
        applicationName);
  }

  public ArchiveSettings withCreateSlot(boolean v) {
    return new ArchiveSettings(
        source,
        directory,
        v,
        allowGap,
        compression,
        compressionLevel,
        synchronous,
        applicationName);
  }

  public ArchiveSettings withAllowGap(boolean v) {
    return new ArchiveSettings(
        source,
        directory,
        createSlot,
        v,
        compression,
        compressionLevel,
        synchronous,
        applicationName);
  }

  public ArchiveSettings withCompression(Compression v) {
    return new ArchiveSettings(
        source, directory, createSlot, allowGap, v, 0, synchronous, applicationName);
  }

  /**
   * As pg_receivewal's {@code --compress=METHOD[:DETAIL]}: a method ({@code none}, {@code gzip},
   * {@code lz4}, {@code zstd}) and optionally a level, as a bare integer or {@code level=N} (gzip 1
   * to 9, lz4 1 to 12, zstd 1 to 22).
   *
   * @throws IllegalArgumentException for an unknown method, a level outside its range, or a level
   *     for {@code none}
   */
  public ArchiveSettings withCompression(String spec) {
    int colon = spec.indexOf(':');
    Compression method = Compression.parse(colon < 0 ? spec : spec.substring(0, colon));
    int level = 0;
    if (colon >= 0) {
      String detail = spec.substring(colon + 1).trim();
      if (detail.startsWith("level=")) {
        detail = detail.substring("level=".length()).trim();
      }
      try {
        level = Integer.parseInt(detail);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "compression detail \""
                + spec.substring(colon + 1)
                + "\" is no level; give an integer");
      }
      if (method == Compression.NONE) {
        throw new IllegalArgumentException("compression none takes no level");
      }
      if (level < method.minLevel || level > method.maxLevel) {
        throw new IllegalArgumentException(
            "compression level "
                + level
                + " is out of range for "
                + method.name().toLowerCase(java.util.Locale.ROOT)
                + " (from "
                + method.minLevel
                + " to "
                + method.maxLevel
                + ")");
      }
    }
    return new ArchiveSettings(
        source, directory, createSlot, allowGap, method, level, synchronous, applicationName);
  }

  public ArchiveSettings withSynchronous(boolean v) {
    return new ArchiveSettings(
        source, directory, createSlot, allowGap, compression, compressionLevel, v, applicationName);
  }

  public ArchiveSettings withApplicationName(String v) {
    return new ArchiveSettings(
        source, directory, createSlot, allowGap, compression, compressionLevel, synchronous, v);
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
        + (compressionLevel == 0 ? "" : ":" + compressionLevel)
        + ", synchronous="
        + synchronous
        + ", applicationName="
        + applicationName
        + ", source="
        + source
        + ")";
  }
}
