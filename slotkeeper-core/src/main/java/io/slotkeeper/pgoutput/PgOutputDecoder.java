package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes pgoutput messages (the logical-decoding payload inside XLogData frames) into {@link
 * PgOutputMessage}s. Pure: no I/O, no clocks, no logging.
 *
 * <p><b>State.</b> Two things carry over from one message to the next, both dictated by the
 * protocol:
 *
 * <ul>
 *   <li>the {@link RelationCache}: row changes name their table only by oid, so every Relation
 *       message is remembered and later changes are resolved through it;
 *   <li>whether a Stream Start ... Stream Stop block is open: inside one, Relation, Type, Insert,
 *       Update, Delete, Truncate and Message carry an extra leading xid, and nothing in those
 *       messages themselves says so.
 * </ul>
 *
 * A message that fails to decode changes neither. Call {@link #reset()} whenever the replication
 * connection is (re)started.
 *
 * <p><b>Strictness.</b> Anything that does not match the format raises {@link
 * PgOutputDecodeException} and nothing else, whatever the input. Beyond truncation and bad lengths
 * the decoder also rejects: bytes left over after a complete message (the server never sends them,
 * so they mean the framing or the negotiated options are wrong); message types newer than the
 * configured protocol version; Stream Start inside an open stream block and Stream Stop outside
 * one; an unknown replica identity; names (not column values) that are not valid UTF-8; a tuple
 * whose column count differs from its relation's. Column values are not validated: {@link
 * ColumnValue#text()} substitutes U+FFFD for invalid UTF-8.
 *
 * <p>Not thread-safe: one decoder per replication stream.
 */
public final class PgOutputDecoder {

  // First protocol versions that define the streaming and the two-phase message types.
  private static final int STREAMING_VERSION = 2;
  private static final int TWO_PHASE_VERSION = 3;

  private final int protocolVersion;
  private final boolean streamAbortCarriesLsnAndTime;
  private final RelationCache relations = new RelationCache();
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  private boolean inStream;

  // The session settings that BINARY values print with (ColumnValue.text()).
  private ValueFormat valueFormat = ValueFormat.DEFAULT;

  // The message being decoded. Reads are absolute (buf.get(base + pos)), so the caller's buffer
  // position and limit are never touched. Always a big-endian view (the wire order), whatever the
  // caller's buffer's order.
  private ByteBuffer buf;
  private int base;
  private int length;
  private int pos;
  private char tag;

  /**
   * @param protocolVersion the {@code proto_version} passed to START_REPLICATION, 1 to 4
   * @param streamAbortCarriesLsnAndTime true when {@code streaming = parallel} was requested
   *     (protocol 4 only): Stream Abort then also carries the abort LSN and timestamp
   */
  public PgOutputDecoder(int protocolVersion, boolean streamAbortCarriesLsnAndTime) {
    if (protocolVersion < 1 || protocolVersion > 4) {
      throw new IllegalArgumentException(
          "pgoutput protocol version must be 1 to 4, got " + protocolVersion);
    }
    if (streamAbortCarriesLsnAndTime && protocolVersion < 4) {
      throw new IllegalArgumentException(
          "Stream Abort carries LSN and time only with protocol version 4 (streaming = parallel), got version "
              + protocolVersion);
    }
    this.protocolVersion = protocolVersion;
    this.streamAbortCarriesLsnAndTime = streamAbortCarriesLsnAndTime;
  }

  public int protocolVersion() {
    return protocolVersion;
  }

  /**
   * The settings of the session whose output this decoder reads (for a replication stream, the
   * walsender's: TimeZone, DateStyle, IntervalStyle, extra_float_digits, bytea_output), with which
   * every BINARY value decoded from now on prints its {@link ColumnValue#text()}.
   */
  public void valueFormat(ValueFormat format) {
    this.valueFormat = java.util.Objects.requireNonNull(format, "format");
  }

  public ValueFormat valueFormat() {
    return valueFormat;
  }

  public RelationCache relations() {
    return relations;
  }

  /** True between a Stream Start and its Stream Stop. */
  public boolean inStreamBlock() {
    return inStream;
  }

  /**
   * Forgets the open stream block and all cached relations. Clearing relations is safe because a
   * new walsender session re-sends each Relation before the first change that needs it; keeping
   * them would only risk using a definition that changed while disconnected.
   */
  public void reset() {
    inStream = false;
    relations.clear();
  }

  /**
   * Decodes one complete message occupying {@code payload}'s remaining bytes. Numbers are read
   * big-endian (the wire order) whatever {@code payload.order()} is. The buffer's position, limit,
   * byte order and contents are left unchanged; the result shares no memory with it.
   *
   * @throws PgOutputDecodeException if the bytes are not exactly one well-formed message
   */
  public PgOutputMessage decode(ByteBuffer payload) {
    if (payload == null) {
      throw new PgOutputDecodeException(
          "malformed pgoutput message at byte 0: payload is null", '?', 0);
    }
    buf = BigEndian.view(payload);
    base = payload.position();
    length = payload.remaining();
    pos = 0;
    tag = '?';
    try {
      if (length == 0) {
        throw error(0, "empty payload");
      }
      tag = (char) (buf.get(base) & 0xFF);
      pos = 1;
      PgOutputMessage message = decodeBody();
      if (pos != length) {
        int extra = length - pos;
        throw error(
            pos,
            extra
                + (extra == 1 ? " unexpected byte" : " unexpected bytes")
                + " after the end of the message");
      }
      // State changes only once the whole message is known to be good.
      if (message instanceof Relation r) {
        relations.put(r);
      } else if (message instanceof StreamStart) {
        inStream = true;
      } else if (message instanceof StreamStop) {
        inStream = false;
      }
      return message;
    } catch (PgOutputDecodeException e) {
      throw e;
    } catch (RuntimeException e) {
      // Safety net: the checks above should make this unreachable, but the contract is that
      // callers only ever see PgOutputDecodeException for bad input.
      throw new PgOutputDecodeException(prefix(pos) + "internal decoding error: " + e, tag, pos, e);
    } finally {
      buf = null;
    }
  }

  private PgOutputMessage decodeBody() {
    switch (tag) {
      case Begin.TAG:
        return new Begin(lsn("final LSN"), timestamp("commit timestamp"), xid("transaction id"));
      case Commit.TAG:
        return new Commit(
            u8("flags"), lsn("commit LSN"), lsn("end LSN"), timestamp("commit timestamp"));
      case Origin.TAG:
        return new Origin(lsn("commit LSN"), cstring("origin name"));
      case Relation.TAG:
        return relation();
      case TypeInfo.TAG:
        return new TypeInfo(
            streamXid(), i32("type oid"), cstring("type namespace"), cstring("type name"));
      case Insert.TAG:
        return insert();
      case Update.TAG:
        return update();
      case Delete.TAG:
        return delete();
      case Truncate.TAG:
        return truncate();
      case LogicalMessage.TAG:
        return logicalMessage();
      case StreamStart.TAG:
        requireVersion(STREAMING_VERSION);
        if (inStream) {
          throw error(
              0,
              "Stream Start while a stream block is already open (missing Stream Stop;"
                  + " was the decoder reset after reconnecting?)");
        }
        return new StreamStart(xid("transaction id"), u8("first-segment flag") != 0);
      case StreamStop.TAG:
        requireVersion(STREAMING_VERSION);
        if (!inStream) {
          throw error(0, "Stream Stop without a preceding Stream Start");
        }
        return StreamStop.INSTANCE;
      case StreamCommit.TAG:
        requireVersion(STREAMING_VERSION);
        return new StreamCommit(
            xid("transaction id"),
            u8("flags"),
            lsn("commit LSN"),
            lsn("end LSN"),
            timestamp("commit timestamp"));
      case StreamAbort.TAG:
        return streamAbort();
      case BeginPrepare.TAG:
        requireVersion(TWO_PHASE_VERSION);
        return new BeginPrepare(
            lsn("prepare LSN"),
            lsn("end LSN"),
            timestamp("prepare timestamp"),
            xid("transaction id"),
            cstring("GID"));
      case Prepare.TAG:
        requireVersion(TWO_PHASE_VERSION);
        return new Prepare(
            u8("flags"),
            lsn("prepare LSN"),
            lsn("end LSN"),
            timestamp("prepare timestamp"),
            xid("transaction id"),
            cstring("GID"));
      case CommitPrepared.TAG:
        requireVersion(TWO_PHASE_VERSION);
        return new CommitPrepared(
            u8("flags"),
            lsn("commit LSN"),
            lsn("end LSN"),
            timestamp("commit timestamp"),
            xid("transaction id"),
            cstring("GID"));
      case RollbackPrepared.TAG:
        requireVersion(TWO_PHASE_VERSION);
        return new RollbackPrepared(
            u8("flags"),
            lsn("prepare end LSN"),
            lsn("rollback end LSN"),
            timestamp("prepare timestamp"),
            timestamp("rollback timestamp"),
            xid("transaction id"),
            cstring("GID"));
      case StreamPrepare.TAG:
        requireVersion(TWO_PHASE_VERSION);
        return new StreamPrepare(
            u8("flags"),
            lsn("prepare LSN"),
            lsn("end LSN"),
            timestamp("prepare timestamp"),
            xid("transaction id"),
            cstring("GID"));
      default:
        throw error(0, "unknown message type " + describeByte(tag));
    }
  }

  private Relation relation() {
    long xid = streamXid();
    int oid = i32("relation oid");
    String namespace = cstring("relation namespace");
    String name = cstring("relation name");
    int identityAt = pos;
    int identity = u8("replica identity");
    if (identity != 'd' && identity != 'n' && identity != 'f' && identity != 'i') {
      throw error(
          identityAt,
          "unknown replica identity "
              + describeByte(identity)
              + " (expected 'd', 'n', 'f' or 'i')");
    }
    int countAt = pos;
    int count = i16("column count");
    if (count < 0) {
      throw error(countAt, "negative column count " + count);
    }
    // Each column needs at least flags + empty name + type oid + typmod: catch absurd counts
    // before building anything.
    if ((long) count * 10 > length - pos) {
      throw error(
          countAt,
          "column count "
              + count
              + " needs at least "
              + (count * 10L)
              + " bytes but only "
              + (length - pos)
              + " remain");
    }
    List<RelationColumn> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int flags = u8("column flags");
      String columnName = cstring("column name");
      int typeOid = i32("column type oid");
      int typeModifier = i32("column type modifier");
      columns.add(new RelationColumn(columnName, typeOid, typeModifier, (flags & 1) != 0));
    }
    return new Relation(xid, oid, namespace, name, identity, columns);
  }

  private Insert insert() {
    long xid = streamXid();
    Relation relation = resolveRelation();
    expectSubmessage('N', "new tuple");
    return new Insert(xid, relation, tuple(relation));
  }

  private Update update() {
    long xid = streamXid();
    Relation relation = resolveRelation();
    int kindAt = pos;
    int kind = u8("tuple marker");
    TupleData oldTuple = null;
    OldTupleKind oldKind = OldTupleKind.NONE;
    if (kind == 'K' || kind == 'O') {
      oldKind = kind == 'K' ? OldTupleKind.KEY : OldTupleKind.FULL;
      oldTuple = tuple(relation);
      expectSubmessage('N', "new tuple");
    } else if (kind != 'N') {
      throw error(kindAt, "expected tuple marker 'K', 'O' or 'N' but found " + describeByte(kind));
    }
    return new Update(xid, relation, oldTuple, oldKind, tuple(relation));
  }

  private Delete delete() {
    long xid = streamXid();
    Relation relation = resolveRelation();
    int kindAt = pos;
    int kind = u8("tuple marker");
    if (kind != 'K' && kind != 'O') {
      throw error(kindAt, "expected old tuple marker 'K' or 'O' but found " + describeByte(kind));
    }
    OldTupleKind oldKind = kind == 'K' ? OldTupleKind.KEY : OldTupleKind.FULL;
    return new Delete(xid, relation, oldKind, tuple(relation));
  }

  private Truncate truncate() {
    long xid = streamXid();
    int countAt = pos;
    int count = i32("relation count");
    if (count < 0) {
      throw error(countAt, "negative relation count " + count);
    }
    int options = u8("options");
    if ((long) count * 4 > length - pos) {
      throw error(
          countAt,
          "relation count "
              + count
              + " needs "
              + (count * 4L)
              + " bytes of oids but only "
              + (length - pos)
              + " remain");
    }
    Relation[] truncated = new Relation[count];
    for (int i = 0; i < count; i++) {
      truncated[i] = resolveRelation();
    }
    return new Truncate(
        xid,
        List.of(truncated),
        (options & Truncate.OPTION_CASCADE) != 0,
        (options & Truncate.OPTION_RESTART_IDENTITY) != 0);
  }

  private LogicalMessage logicalMessage() {
    // Inside a stream block the xid precedes the flags, so it cannot depend on them. pgoutput only
    // sends transactional messages there: non-transactional ones are emitted as they are decoded,
    // never while a large transaction is being streamed.
    long xid = streamXid();
    boolean transactional = (u8("flags") & 1) != 0;
    Lsn lsn = lsn("message LSN");
    String prefix = cstring("message prefix");
    int lengthAt = pos;
    int contentLength = i32("content length");
    checkLength(lengthAt, contentLength, "message content");
    byte[] content = new byte[contentLength];
    buf.get(base + pos, content);
    pos += contentLength;
    return new LogicalMessage(xid, transactional, lsn, prefix, content);
  }

  private StreamAbort streamAbort() {
    requireVersion(STREAMING_VERSION);
    long xid = xid("transaction id");
    long subXid = xid("subtransaction id");
    if (!streamAbortCarriesLsnAndTime) {
      return new StreamAbort(xid, subXid, Lsn.INVALID, null);
    }
    return new StreamAbort(xid, subXid, lsn("abort LSN"), timestamp("abort timestamp"));
  }

  /**
   * Reads a TupleData. A first pass validates the structure against the payload; then the whole
   * tuple is copied once and every value views its slice of that copy.
   */
  private TupleData tuple(Relation relation) {
    int start = pos;
    int count = i16("tuple column count");
    if (count < 0) {
      throw error(start, "negative tuple column count " + count);
    }
    if (count != relation.columns().size()) {
      throw error(
          start,
          "tuple has "
              + count
              + " columns but relation "
              + relation.qualifiedName()
              + " (oid "
              + relation.oidString()
              + ") has "
              + relation.columns().size());
    }
    for (int i = 0; i < count; i++) {
      int kindAt = pos;
      if (pos >= length) {
        throw error(kindAt, "truncated: tuple column " + i + " kind byte is missing");
      }
      int kind = buf.get(base + pos) & 0xFF;
      pos++;
      switch (kind) {
        case 'n':
        case 'u':
          break;
        case 't':
        case 'b':
          int lengthAt = pos;
          if (length - pos < 4) {
            throw error(
                lengthAt,
                "truncated: tuple column "
                    + i
                    + " length needs 4 bytes but only "
                    + (length - pos)
                    + " remain");
          }
          int valueLength = buf.getInt(base + pos);
          pos += 4;
          // The check's text only when it fails: this runs for every column of every row.
          if (valueLength < 0 || valueLength > length - pos) {
            checkLength(lengthAt, valueLength, "tuple column " + i);
          }
          pos += valueLength;
          break;
        default:
          throw error(
              kindAt,
              "tuple column "
                  + i
                  + " has unknown kind "
                  + describeByte(kind)
                  + " (expected 'n', 'u', 't' or 'b')");
      }
    }
    int end = pos;
    int dataStart = start + 2;
    byte[] data = new byte[end - dataStart];
    buf.get(base + dataStart, data);
    // The values are made on first use (TupleData): the loop above checked every entry.
    return TupleData.decoded(data, 0, relation, valueFormat);
  }

  private Relation resolveRelation() {
    int at = pos;
    int oid = i32("relation oid");
    Relation relation = relations.get(oid);
    if (relation == null) {
      throw error(
          at,
          "unknown relation oid "
              + Integer.toUnsignedString(oid)
              + ": no Relation message for it was received since the decoder was created or reset");
    }
    return relation;
  }

  private void expectSubmessage(char expected, String what) {
    int at = pos;
    int b = u8(what + " marker");
    if (b != expected) {
      throw error(
          at, "expected " + what + " marker '" + expected + "' but found " + describeByte(b));
    }
  }

  private void requireVersion(int minimum) {
    if (protocolVersion < minimum) {
      throw error(
          0,
          "message type "
              + describeByte(tag)
              + " needs protocol version "
              + minimum
              + " but the decoder was configured for version "
              + protocolVersion);
    }
  }

  /**
   * The leading xid of messages inside a stream block; 0 outside (and always 0 before protocol 2).
   */
  private long streamXid() {
    return inStream ? xid("transaction id") : 0L;
  }

  // ---- primitive reads: each checks the bytes exist, then advances pos ----

  private void need(int bytes, String what) {
    if (length - pos < bytes) {
      throw error(
          pos,
          "truncated: "
              + what
              + " needs "
              + bytes
              + " bytes but only "
              + (length - pos)
              + " remain");
    }
  }

  private void checkLength(int at, int declared, String what) {
    if (declared < 0) {
      throw error(at, what + " declares negative length " + declared);
    }
    if (declared > length - pos) {
      throw error(
          at,
          what + " declares length " + declared + " but only " + (length - pos) + " bytes remain");
    }
  }

  private int u8(String what) {
    need(1, what);
    return buf.get(base + pos++) & 0xFF;
  }

  private int i16(String what) {
    need(2, what);
    short v = buf.getShort(base + pos);
    pos += 2;
    return v;
  }

  private int i32(String what) {
    need(4, what);
    int v = buf.getInt(base + pos);
    pos += 4;
    return v;
  }

  private long i64(String what) {
    need(8, what);
    long v = buf.getLong(base + pos);
    pos += 8;
    return v;
  }

  private long xid(String what) {
    return Integer.toUnsignedLong(i32(what));
  }

  private Lsn lsn(String what) {
    return Lsn.of(i64(what));
  }

  private Instant timestamp(String what) {
    return PgTimestamps.fromPgMicros(i64(what));
  }

  /** A NUL-terminated string; must be valid UTF-8 (the server encoding is assumed to be UTF8). */
  private String cstring(String what) {
    int start = pos;
    int end = start;
    boolean ascii = true;
    while (true) {
      if (end >= length) {
        throw error(
            start,
            what + " is missing its NUL terminator (the string runs to the end of the payload)");
      }
      byte b = buf.get(base + end);
      if (b == 0) {
        break;
      }
      ascii &= b > 0;
      end++;
    }
    byte[] bytes = new byte[end - start];
    buf.get(base + start, bytes);
    pos = end + 1;
    if (ascii) {
      // Every ASCII byte is a whole UTF-8 character: no validation needed.
      return new String(bytes, StandardCharsets.US_ASCII);
    }
    try {
      CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw error(start, what + " is not valid UTF-8");
    }
  }

  // ---- errors ----

  private PgOutputDecodeException error(int at, String detail) {
    return new PgOutputDecodeException(prefix(at) + detail, tag, at);
  }

  private String prefix(int at) {
    String name = messageName(tag);
    return name == null
        ? "malformed pgoutput message at byte " + at + ": "
        : "malformed pgoutput " + name + " message at byte " + at + ": ";
  }

  /** The protocol documentation's name for a message type, or null if it is not one. */
  static String messageName(char tag) {
    switch (tag) {
      case Begin.TAG:
        return "Begin";
      case Commit.TAG:
        return "Commit";
      case Origin.TAG:
        return "Origin";
      case Relation.TAG:
        return "Relation";
      case TypeInfo.TAG:
        return "Type";
      case Insert.TAG:
        return "Insert";
      case Update.TAG:
        return "Update";
      case Delete.TAG:
        return "Delete";
      case Truncate.TAG:
        return "Truncate";
      case LogicalMessage.TAG:
        return "Message";
      case StreamStart.TAG:
        return "Stream Start";
      case StreamStop.TAG:
        return "Stream Stop";
      case StreamCommit.TAG:
        return "Stream Commit";
      case StreamAbort.TAG:
        return "Stream Abort";
      case BeginPrepare.TAG:
        return "Begin Prepare";
      case Prepare.TAG:
        return "Prepare";
      case CommitPrepared.TAG:
        return "Commit Prepared";
      case RollbackPrepared.TAG:
        return "Rollback Prepared";
      case StreamPrepare.TAG:
        return "Stream Prepare";
      default:
        return null;
    }
  }

  static String describeByte(int b) {
    String hex = String.format("0x%02X", b);
    return b >= 0x20 && b < 0x7F ? "'" + (char) b + "' (" + hex + ")" : hex;
  }
}
