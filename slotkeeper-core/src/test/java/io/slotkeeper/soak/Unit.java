package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import java.util.List;

/**
 * One thing the slot confirms as a whole: a committed transaction or a logical message sent outside
 * any transaction. {@code position} is where the unit ends in the WAL (the end of the commit
 * record, or of the message record): the slot is confirmed past the unit exactly when
 * confirmed_flush_lsn is at or beyond it. {@code changes} are canonical one-line texts ({@link
 * Canon}), in order.
 */
record Unit(Kind kind, Lsn position, long xid, List<String> changes) {

  enum Kind {
    TRANSACTION,
    MESSAGE
  }

  Unit {
    changes = List.copyOf(changes);
  }

  /**
   * True when the slot's confirmed position {@code confirmed} means the server will not send this
   * again.
   */
  boolean confirmedBy(Lsn confirmed) {
    return position.compareTo(confirmed) <= 0;
  }

  String describe() {
    String first = changes.isEmpty() ? "" : " first: " + abbreviate(changes.get(0));
    return kind
        + " at "
        + position
        + (xid != 0 ? " xid " + xid : "")
        + " ("
        + changes.size()
        + " changes)"
        + first;
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
