package io.slotkeeper.testkit;

/**
 * A targeted corruption of the server-to-client bytes for {@link TcpProxy#corruptDownstream}: the
 * byte at a fixed distance from a marker is replaced, for a number of the marker's occurrences. A
 * marker is what a test controls (a value it writes), the distance reaches the protocol structure
 * around it (a message's type byte, a length), so a test can break exactly the message it chose.
 *
 * <p>Matching works within one read of the proxy (up to 16 KiB): a marker or target that falls
 * across two reads is passed on untouched and not counted, so a test waits for {@link #done()}
 * rather than assuming. With the light traffic of such tests a small transaction arrives in one
 * read.
 */
final class DownstreamCorruption {
  private final byte[] marker;
  private final int delta;
  private final byte replacement;
  private int remaining;
  private int done;

  DownstreamCorruption(byte[] marker, int delta, byte replacement, int times) {
    if (marker.length == 0 || times < 0) {
      throw new IllegalArgumentException("a non-empty marker and times >= 0 are needed");
    }
    this.marker = marker.clone();
    this.delta = delta;
    this.replacement = replacement;
    this.remaining = times;
  }

  /** Corrupts {@code buf[0..n)} in place where the marker occurs, while occurrences remain. */
  synchronized void apply(byte[] buf, int n) {
    for (int i = 0; remaining > 0 && i + marker.length <= n; i++) {
      if (matchesAt(buf, i)) {
        int target = i + delta;
        if (target >= 0 && target < n) {
          buf[target] = replacement;
          remaining--;
          done++;
        }
        i += marker.length - 1;
      }
    }
  }

  private boolean matchesAt(byte[] buf, int at) {
    for (int j = 0; j < marker.length; j++) {
      if (buf[at + j] != marker[j]) {
        return false;
      }
    }
    return true;
  }

  synchronized int done() {
    return done;
  }

  synchronized int remaining() {
    return remaining;
  }
}
