package io.slotkeeper.bench;

import java.util.Arrays;

/**
 * Tells the messages apart in {@code pg_recvlogical}'s output of a pgoutput slot: it writes each
 * message's bytes as they came and a newline after each, and pgoutput is binary (a newline may be
 * inside a message), so the messages are found by their protocol-1 layout, each followed by its
 * newline. Calls the listener for every Insert, Update, Delete and Commit, the way the thin loop
 * does. A layout that does not parse (anything unexpected) fails the run rather than miscount.
 */
final class PgOutputLines implements ChildProcess.Reader {
  private final Contender.Listener listener;
  private byte[] buf = new byte[1 << 17];
  private int len;

  PgOutputLines(Contender.Listener listener) {
    this.listener = listener;
  }

  @Override
  public void read(byte[] chunk, int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
    System.arraycopy(chunk, 0, buf, len, n);
    len += n;
    int at = 0;
    while (true) {
      int end = messageEnd(at);
      if (end < 0 || end >= len) {
        break;
      }
      if (buf[end] != '\n') {
        throw new IllegalStateException(
            "pg_recvlogical output: no newline after a '" + (char) buf[at] + "' message");
      }
      switch (buf[at]) {
        case 'I' -> listener.change('I', 0);
        case 'U' -> listener.change('U', 0);
        case 'D' -> listener.change('D', 0);
        case 'C' -> listener.commit();
        default -> {}
      }
      at = end + 1;
    }
    System.arraycopy(buf, at, buf, 0, len - at);
    len -= at;
  }

  /** Index just past the message starting at {@code at}, or -1 when not all of it is here yet. */
  private int messageEnd(int at) {
    if (at >= len) {
      return -1;
    }
    int p = at + 1;
    switch (buf[at]) {
      case 'B' -> p += 8 + 8 + 4;
      case 'C' -> p += 1 + 8 + 8 + 8;
      case 'O' -> p = cstring(p + 8);
      case 'Y' -> p = cstring(cstring(p + 4));
      case 'R' -> {
        p = cstring(cstring(p + 4));
        if (p < 0 || p + 3 > len) {
          return -1;
        }
        int cols = u16(p + 1);
        p += 3;
        for (int i = 0; i < cols && p >= 0; i++) {
          p = cstring(p + 1);
          if (p >= 0) {
            p += 8;
          }
        }
      }
      case 'I' -> p = tuple(p + 4 + 1);
      case 'U' -> {
        p += 4;
        if (p >= len) {
          return -1;
        }
        if (buf[p] == 'K' || buf[p] == 'O') {
          p = tuple(p + 1);
          if (p < 0 || p >= len) {
            return -1;
          }
        }
        p = tuple(p + 1);
      }
      case 'D' -> p = tuple(p + 4 + 1);
      case 'T' -> {
        if (p + 4 > len) {
          return -1;
        }
        p += 4 + 1 + 4 * i32(p);
      }
      case 'M' -> {
        p = cstring(p + 1 + 8);
        if (p < 0 || p + 4 > len) {
          return -1;
        }
        p += 4 + i32(p);
      }
      default ->
          throw new IllegalStateException(
              "pg_recvlogical output: unknown pgoutput message '" + (char) buf[at] + "'");
    }
    return p < 0 || p > len ? -1 : p;
  }

  private int tuple(int p) {
    if (p < 0 || p + 2 > len) {
      return -1;
    }
    int cols = u16(p);
    p += 2;
    for (int i = 0; i < cols; i++) {
      if (p >= len) {
        return -1;
      }
      byte kind = buf[p++];
      if (kind == 't' || kind == 'b') {
        if (p + 4 > len) {
          return -1;
        }
        p += 4 + i32(p);
      }
    }
    return p;
  }

  private int cstring(int p) {
    if (p < 0) {
      return -1;
    }
    for (int i = p; i < len; i++) {
      if (buf[i] == 0) {
        return i + 1;
      }
    }
    return -1;
  }

  private int u16(int p) {
    return ((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff);
  }

  private int i32(int p) {
    return ((buf[p] & 0xff) << 24)
        | ((buf[p + 1] & 0xff) << 16)
        | ((buf[p + 2] & 0xff) << 8)
        | (buf[p + 3] & 0xff);
  }
}
