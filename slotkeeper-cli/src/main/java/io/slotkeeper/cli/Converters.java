package io.slotkeeper.cli;

import io.slotkeeper.Lsn;
import picocli.CommandLine.TypeConversionException;

/** Command-line value converters whose errors read as one helpful line. */
final class Converters {
  private Converters() {}

  static Lsn lsn(String text) {
    try {
      return Lsn.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "'"
              + text
              + "' is not an LSN: expected two hex numbers separated by '/',"
              + " like 16/B374D848 (as pg_current_wal_lsn() prints it)");
    }
  }
}
