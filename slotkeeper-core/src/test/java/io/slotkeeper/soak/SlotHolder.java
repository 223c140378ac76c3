package io.slotkeeper.soak;

import io.slotkeeper.postgres.PostgresServer;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyDual;

/**
 * Another consumer that takes the slot for a while: it starts replication on it over its own
 * replication connection, reads and discards what comes, and answers with status updates whose
 * flush position is 0/0, which the walsender ignores, so it never confirms anything. pgjdbc's
 * PGReplicationStream is not used because it may report a flush position by itself.
 */
final class SlotHolder {
  private static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;

  private SlotHolder() {}

  /** Holds {@code slot} for {@code duration}; returns the bytes received from the walsender. */
  static long hold(PostgresServer pg, String slot, String publication, Duration duration)
      throws Exception {
    try (Connection c = pg.connectReplication()) {
      CopyDual copy =
          (CopyDual)
              c.unwrap(PGConnection.class)
                  .getCopyAPI()
                  .copyIn(
                      "START_REPLICATION SLOT "
                          + slot
                          + " LOGICAL 0/0 (proto_version '1', publication_names '"
                          + publication
                          + "')");
      long received = 0;
      long deadline = System.nanoTime() + duration.toNanos();
      long nextStatus = 0;
      while (System.nanoTime() < deadline) {
        byte[] data = copy.readFromCopy(false);
        if (data != null) {
          received += data.length;
          continue;
        }
        if (System.nanoTime() > nextStatus) {
          byte[] status = statusUpdateConfirmingNothing();
          copy.writeToCopy(status, 0, status.length);
          copy.flushCopy();
          nextStatus = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        }
        Thread.sleep(10);
      }
      return received;
    }
  }

  private static byte[] statusUpdateConfirmingNothing() {
    ByteBuffer b = ByteBuffer.allocate(34);
    b.put((byte) 'r');
    b.putLong(0); // written
    b.putLong(0); // flushed: InvalidXLogRecPtr, ignored by the walsender
    b.putLong(0); // applied
    b.putLong(System.currentTimeMillis() * 1000 - PG_EPOCH_OFFSET_MICROS);
    b.put((byte) 0);
    return b.array();
  }
}
