package io.slotkeeper.javadsl;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.internal.physical.Archiver;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * Entry point: archives a server's WAL into a directory as pg_receivewal does (16 MB-style segment
 * files named by timeline and position, the one in progress {@code .partial}), over physical
 * replication, supervised like a {@link ReplicationSource} (reconnects with back-off, FAILED with
 * the fix for errors retrying cannot cure).
 *
 * <p>Unlike pg_receivewal it never silently skips WAL: with an empty directory it starts at the
 * slot's {@code restart_lsn} (READ_REPLICATION_SLOT on 15+, pg_replication_slots before), and with
 * neither it refuses unless {@link ArchiveSettings#withAllowGap gaps are allowed}. Only WAL that is
 * fsynced is reported to the server as flushed.
 *
 * <pre>{@code
 * ArchiveControl archive = WalArchiver.start(system,
 *     ArchiveSettings.create(SourceSettings.create(system).withSlotName("archive"), dir)
 *         .withCreateSlot(true));
 * }</pre>
 */
public final class WalArchiver {
  private WalArchiver() {}

  /**
   * Starts archiving in {@code system}; the settings are validated now ({@link
   * IllegalArgumentException} naming the fix).
   */
  public static ArchiveControl start(ClassicActorSystemProvider system, ArchiveSettings settings) {
    return Archiver.start(system, settings.validate());
  }
}
