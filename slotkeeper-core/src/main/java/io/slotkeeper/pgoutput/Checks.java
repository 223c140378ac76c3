package io.slotkeeper.pgoutput;

import java.util.Objects;

/** Argument checks shared by the model records. */
final class Checks {

  private Checks() {}

  /** Transaction ids are uint32 on the wire; as a long they must be in [0, 2^32). */
  static long xid(long xid, String what) {
    if ((xid >>> 32) != 0) {
      throw new IllegalArgumentException(
          what + " " + xid + " is not a 32-bit unsigned transaction id");
    }
    return xid;
  }

  static <T> T nonNull(T value, String what) {
    return Objects.requireNonNull(value, what);
  }
}
