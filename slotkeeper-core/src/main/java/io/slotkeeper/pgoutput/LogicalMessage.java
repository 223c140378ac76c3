package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Message ({@code 'M'}): emitted by {@code pg_logical_emit_message}. {@code xid} is 0 unless the
 * message came inside a streamed transaction block. The content is arbitrary bytes; the record
 * keeps its own copy and hands out copies (or a read-only view via {@link #contentBuffer()}).
 */
public record LogicalMessage(
    long xid, boolean transactional, Lsn lsn, String prefix, byte[] content)
    implements PgOutputMessage {

  public static final char TAG = 'M';

  public LogicalMessage {
    Checks.xid(xid, "xid");
    Checks.nonNull(lsn, "lsn");
    Checks.nonNull(prefix, "prefix");
    content = Checks.nonNull(content, "content").clone();
  }

  /** A copy of the content. */
  @Override
  public byte[] content() {
    return content.clone();
  }

  /** The content without copying, read-only. */
  public ByteBuffer contentBuffer() {
    return ByteBuffer.wrap(content).asReadOnlyBuffer();
  }

  public int contentLength() {
    return content.length;
  }

  @Override
  public char tag() {
    return TAG;
  }

  // Arrays compare by identity in a record's generated methods; compare content instead.
  @Override
  public boolean equals(Object o) {
    return o instanceof LogicalMessage m
        && xid == m.xid
        && transactional == m.transactional
        && lsn.equals(m.lsn)
        && prefix.equals(m.prefix)
        && Arrays.equals(content, m.content);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(xid);
    h = 31 * h + Boolean.hashCode(transactional);
    h = 31 * h + lsn.hashCode();
    h = 31 * h + prefix.hashCode();
    return 31 * h + Arrays.hashCode(content);
  }

  @Override
  public String toString() {
    // Content may be large or binary: show its size and a short hex prefix only.
    int shown = Math.min(content.length, 32);
    return "LogicalMessage[xid="
        + xid
        + ", transactional="
        + transactional
        + ", lsn="
        + lsn
        + ", prefix="
        + prefix
        + ", content="
        + content.length
        + " bytes "
        + HexFormat.of().formatHex(content, 0, shown)
        + (shown < content.length ? "..." : "")
        + "]";
  }
}
