package io.slotkeeper.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a run's table into the results file without losing what people wrote under it.
 *
 * <p>Why: {@code RESULTS.md} holds the last full run's table at its top and, below it, sections
 * written by hand ({@code ## ...}) that record measurements and what they showed. A full run used
 * to overwrite the whole file, so refreshing the table would have erased that record. Now the run
 * replaces only what comes before the first {@code ## } heading.
 */
final class ResultsFile {
  private ResultsFile() {}

  /** {@code generated}, followed by {@code existing}'s sections from its first level-2 heading. */
  static String merge(String existing, String generated) {
    String head = generated.endsWith("\n") ? generated : generated + "\n";
    if (existing == null) {
      return head;
    }
    // A heading starts the file or follows a line break: look in the file after one more.
    int at = ("\n" + existing).indexOf("\n## ");
    return at < 0 ? head : head + "\n" + existing.substring(at);
  }

  /** Writes {@code generated} to {@code file}, keeping the sections already there. */
  static void write(Path file, String generated) throws IOException {
    String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    Files.writeString(file, merge(existing, generated), StandardCharsets.UTF_8);
  }
}
