package io.slotkeeper.pgoutput;

import static io.slotkeeper.pgoutput.PgOutputSamples.ACCOUNTS;
import static io.slotkeeper.pgoutput.PgOutputSamples.ACCOUNTS_OID;
import static io.slotkeeper.pgoutput.PgOutputSamples.AUDIT;
import static io.slotkeeper.pgoutput.PgOutputSamples.STREAM_XID;
import static io.slotkeeper.pgoutput.PgOutputSamples.T1;
import static io.slotkeeper.pgoutput.PgOutputSamples.T2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.Lsn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

  private final PgOutputDecoder v4 = new PgOutputDecoder(4, true);

  private static PgOutputMessage decode(PgOutputDecoder decoder, byte[] bytes) {
    return decoder.decode(ByteBuffer.wrap(bytes));
  }

  /** A decoder of the given version that already knows ACCOUNTS and AUDIT. */
  private static PgOutputDecoder withRelations(int version, boolean parallel) {
    PgOutputDecoder d = new PgOutputDecoder(version, parallel);
    decode(d, PgOutputSamples.accountsRelation(0));
    decode(d, PgOutputSamples.auditRelation(0));
    return d;
  }

  private static Lsn lsn(String s) {
    return Lsn.parse(s);
  }

  @Nested
  class TransactionMessages {

    @Test
    void begin() {
      assertThat(decode(v4, PgOutputSamples.begin()))
          .isEqualTo(new Begin(lsn("16/B374D848"), T1, STREAM_XID));
    }

    @Test
    void commit() {
      Commit c = (Commit) decode(v4, PgOutputSamples.commit());
      assertThat(c).isEqualTo(new Commit(0, lsn("16/B374D848"), lsn("16/B374D878"), T1));
      assertThat(c.tag()).isEqualTo('C');
    }

    @Test
    void origin() {
      assertThat(decode(v4, PgOutputSamples.origin())).isEqualTo(new Origin(lsn("1/2"), "node_a"));
    }

    @Test
    void xidIsUnsigned() {
      byte[] bytes = PgOutputBytes.message('B').lsn("0/1").time(T1).xid(0xFFFF_FFFFL).bytes();
      assertThat(((Begin) decode(v4, bytes)).xid()).isEqualTo(4_294_967_295L);
    }

    @Test
    void timestampsAreExactToTheMicrosecondIncludingBefore2000() {
      byte[] bytes = PgOutputBytes.message('B').lsn("0/1").i64(-1).xid(1).bytes();
      assertThat(((Begin) decode(v4, bytes)).commitTime())
          .isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
      bytes = PgOutputBytes.message('B').lsn("0/1").i64(0).xid(1).bytes();
      assertThat(((Begin) decode(v4, bytes)).commitTime())
          .isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
      bytes = PgOutputBytes.message('B').lsn("0/1").i64(768_294_489_123_456L).xid(1).bytes();
      assertThat(((Begin) decode(v4, bytes)).commitTime()).isEqualTo(T1);
    }

    @Test
    void infiniteTimestampsMapToInstantBounds() {
      byte[] plus = PgOutputBytes.message('B').lsn("0/1").i64(Long.MAX_VALUE).xid(1).bytes();
      byte[] minus = PgOutputBytes.message('B').lsn("0/1").i64(Long.MIN_VALUE).xid(1).bytes();
      assertThat(((Begin) decode(v4, plus)).commitTime()).isEqualTo(Instant.MAX);
      assertThat(((Begin) decode(v4, minus)).commitTime()).isEqualTo(Instant.MIN);
    }

    @Test
    void logicalMessages() {
      LogicalMessage tx = (LogicalMessage) decode(v4, PgOutputSamples.message(0, true));
      assertThat(tx)
          .isEqualTo(
              new LogicalMessage(
                  0,
                  true,
                  lsn("0/16B3748"),
                  "slotkeeper",
                  "hello".getBytes(StandardCharsets.UTF_8)));
      LogicalMessage nonTx = (LogicalMessage) decode(v4, PgOutputSamples.message(0, false));
      assertThat(nonTx.transactional()).isFalse();
      assertThat(nonTx.contentBuffer().remaining()).isEqualTo(5);

      byte[] empty = PgOutputBytes.message('M').u8(0).lsn("0/1").cstring("").i32(0).bytes();
      assertThat(((LogicalMessage) decode(v4, empty)).content()).isEmpty();
    }

    @Test
    void logicalMessageContentIsDefensivelyCopied() {
      LogicalMessage m = (LogicalMessage) decode(v4, PgOutputSamples.message(0, true));
      m.content()[0] = 'X';
      assertThat(new String(m.content(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }
  }

  /**
   * The wire format is big-endian whatever the caller's buffer says: a little-endian buffer (e.g.
   * one a caller set up for its own reads) must decode the same values, and keep its order.
   */
  @Nested
  class CallerByteOrder {

    private ByteBuffer littleEndian(byte[] bytes) {
      return ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void lsnTimestampAndXidAreReadBigEndian() {
      ByteBuffer le = littleEndian(PgOutputSamples.begin());
      assertThat(v4.decode(le)).isEqualTo(new Begin(lsn("16/B374D848"), T1, STREAM_XID));
      assertThat(le.order()).isEqualTo(java.nio.ByteOrder.LITTLE_ENDIAN);
      assertThat(le.position()).isZero();
    }

    @Test
    void relationsAndTuplesAreReadBigEndian() {
      PgOutputDecoder d = new PgOutputDecoder(4, true);
      assertThat(d.decode(littleEndian(PgOutputSamples.accountsRelation(0)))).isEqualTo(ACCOUNTS);
      d.decode(littleEndian(PgOutputSamples.auditRelation(0)));
      Insert fromLittle = (Insert) d.decode(littleEndian(PgOutputSamples.insert(0)));
      Insert fromBig = (Insert) decode(withRelations(4, true), PgOutputSamples.insert(0));
      assertThat(fromLittle).isEqualTo(fromBig);
      assertThat(fromLittle.newTuple().get(0).text()).isEqualTo("42");
    }
  }

  @Nested
  class RelationsAndTypes {

    @Test
    void relationIsDecodedAndCached() {
      Relation r = (Relation) decode(v4, PgOutputSamples.accountsRelation(0));
      assertThat(r).isEqualTo(ACCOUNTS);
      assertThat(r.qualifiedName()).isEqualTo("public.accounts");
      assertThat(r.columnIndex("balance")).isEqualTo(2);
      assertThat(r.columnIndex("missing")).isEqualTo(-1);
      assertThat(r.columns().get(0).key()).isTrue();
      assertThat(r.columns().get(2).typeModifier()).isEqualTo(655366);
      assertThat(v4.relations().get(ACCOUNTS_OID)).isSameAs(r);
    }

    @Test
    void relationWithMultibyteNamesAndFullIdentity() {
      Relation r = (Relation) decode(v4, PgOutputSamples.auditRelation(0));
      assertThat(r).isEqualTo(AUDIT);
      assertThat(r.replicaIdentity()).isEqualTo(Relation.REPLICA_IDENTITY_FULL);
      assertThat(r.qualifiedName()).isEqualTo("audit.événements");
    }

    @Test
    void pgCatalogRelationHasEmptyNamespace() {
      byte[] bytes =
          PgOutputBytes.message('R').i32(1).cstring("").cstring("t").u8('n').i16(0).bytes();
      Relation r = (Relation) decode(v4, bytes);
      assertThat(r.qualifiedName()).isEqualTo("t");
      assertThat(r.columns()).isEmpty();
    }

    @Test
    void relationRedefinitionReplacesTheCachedOne() {
      PgOutputDecoder d = withRelations(4, true);
      byte[] altered =
          PgOutputBytes.message('R')
              .i32(ACCOUNTS_OID)
              .cstring("public")
              .cstring("accounts")
              .u8('i')
              .i16(1)
              .column(true, "id", 20, -1)
              .bytes();
      decode(d, altered);
      assertThat(d.relations().get(ACCOUNTS_OID).columns()).hasSize(1);
      assertThat(d.relations().size()).isEqualTo(2);
      Insert i =
          (Insert)
              decode(
                  d,
                  PgOutputBytes.message('I')
                      .i32(ACCOUNTS_OID)
                      .u8('N')
                      .tuple(1)
                      .textColumn("7")
                      .bytes());
      assertThat(i.relation().columns().get(0).typeOid()).isEqualTo(20);
    }

    @Test
    void unknownRelationFailsNamingTheOid() {
      byte[] bytes = PgOutputBytes.message('I').i32(0x8000_0001).u8('N').tuple(0).bytes();
      assertThatThrownBy(() -> decode(v4, bytes))
          .isInstanceOf(PgOutputDecodeException.class)
          .hasMessageContaining("unknown relation oid 2147483649")
          .satisfies(e -> assertThat(((PgOutputDecodeException) e).offset()).isEqualTo(1));
    }

    @Test
    void resetDropsRelationsAndStreamState() {
      PgOutputDecoder d = withRelations(2, false);
      decode(d, PgOutputSamples.streamStart(true));
      d.reset();
      assertThat(d.inStreamBlock()).isFalse();
      assertThat(d.relations().size()).isZero();
      assertThatThrownBy(() -> decode(d, PgOutputSamples.insert(0)))
          .isInstanceOf(PgOutputDecodeException.class)
          .hasMessageContaining("unknown relation oid 16384");
    }

    @Test
    void type() {
      assertThat(decode(v4, PgOutputSamples.type(0)))
          .isEqualTo(new TypeInfo(0, 90001, "public", "mood"));
    }

    @Test
    void relationCacheGrowsBeyondItsInitialCapacity() {
      RelationCache cache = new RelationCache();
      for (int oid = 1; oid <= 1000; oid++) {
        cache.put(new Relation(0, oid * 7919, "s", "t" + oid, 'd', List.of()));
      }
      assertThat(cache.size()).isEqualTo(1000);
      assertThat(cache.get(500 * 7919).name()).isEqualTo("t500");
      assertThat(cache.get(3)).isNull();
      assertThat(cache.all()).hasSize(1000);
    }
  }

  @Nested
  class RowChanges {

    private final PgOutputDecoder d = withRelations(4, true);

    @Test
    void insertWithTextMultibyteAndBinaryColumns() {
      Insert i = (Insert) decode(d, PgOutputSamples.insert(0));
      assertThat(i.xid()).isZero();
      assertThat(i.relation()).isEqualTo(ACCOUNTS);
      TupleData t = i.newTuple();
      assertThat(t.size()).isEqualTo(3);
      assertThat(t.get(0).text()).isEqualTo("42");
      assertThat(t.get(1).text()).isEqualTo("Zoë 🐘");
      assertThat(t.get(1).length()).isEqualTo("Zoë 🐘".getBytes(StandardCharsets.UTF_8).length);
      assertThat(t.get(2).kind()).isEqualTo(ColumnValue.Kind.BINARY);
      assertThat(t.get(2).bytes()).containsExactly(0, 1, 0xFF);
      assertThat(t)
          .isEqualTo(
              TupleData.of(
                  ColumnValue.text("42"),
                  ColumnValue.text("Zoë 🐘"),
                  ColumnValue.binary(new byte[] {0, 1, (byte) 0xFF})));
    }

    @Test
    void updateWithKeyOldTupleNullsAndUnchangedToast() {
      Update u = (Update) decode(d, PgOutputSamples.updateWithKey(0));
      assertThat(u.oldKind()).isEqualTo(OldTupleKind.KEY);
      assertThat(u.oldTuple())
          .isEqualTo(TupleData.of(ColumnValue.text("41"), ColumnValue.NULL, ColumnValue.NULL));
      assertThat(u.oldTuple().get(1).isNull()).isTrue();
      assertThat(u.oldTuple().get(1).text()).isNull();
      assertThat(u.newTuple().get(1).isUnchangedToast()).isTrue();
      assertThat(u.newTuple().get(2).text()).isEqualTo("10.50");
    }

    @Test
    void updateWithFullOldTuple() {
      Update u = (Update) decode(d, PgOutputSamples.updateWithOld(0));
      assertThat(u)
          .isEqualTo(
              new Update(
                  0,
                  AUDIT,
                  TupleData.of(ColumnValue.text("{\"a\":1}")),
                  OldTupleKind.FULL,
                  TupleData.of(ColumnValue.text("{\"a\":2}"))));
    }

    @Test
    void updateWithoutOldTuple() {
      Update u = (Update) decode(d, PgOutputSamples.updateNewOnly(0));
      assertThat(u.oldKind()).isEqualTo(OldTupleKind.NONE);
      assertThat(u.oldTuple()).isNull();
      assertThat(u.newTuple().values())
          .containsExactly(ColumnValue.text("42"), ColumnValue.text("x"), ColumnValue.NULL);
    }

    @Test
    void deleteWithKeyAndWithFullOldTuple() {
      Delete k = (Delete) decode(d, PgOutputSamples.deleteWithKey(0));
      assertThat(k.oldKind()).isEqualTo(OldTupleKind.KEY);
      assertThat(k.oldTuple().get(0).text()).isEqualTo("42");
      Delete o = (Delete) decode(d, PgOutputSamples.deleteWithOld(0));
      assertThat(o)
          .isEqualTo(
              new Delete(
                  0,
                  AUDIT,
                  OldTupleKind.FULL,
                  TupleData.of(ColumnValue.binary(new byte[] {1, '{', '}'}))));
    }

    @Test
    void truncateResolvesEveryRelationAndOptions() {
      Truncate t = (Truncate) decode(d, PgOutputSamples.truncate(0));
      assertThat(t).isEqualTo(new Truncate(0, List.of(ACCOUNTS, AUDIT), true, true));
      byte[] plain = PgOutputBytes.message('T').i32(1).u8(0).i32(ACCOUNTS_OID).bytes();
      Truncate p = (Truncate) decode(d, plain);
      assertThat(p.cascade()).isFalse();
      assertThat(p.restartIdentity()).isFalse();
      byte[] cascadeOnly = PgOutputBytes.message('T').i32(1).u8(1).i32(ACCOUNTS_OID).bytes();
      assertThat(((Truncate) decode(d, cascadeOnly)).restartIdentity()).isFalse();
    }

    @Test
    void columnValueTextRefusesUnchangedToastAndBinary() {
      Update u = (Update) decode(d, PgOutputSamples.updateWithKey(0));
      assertThatThrownBy(() -> u.newTuple().get(1).text())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("unchanged TOAST");
      Insert i = (Insert) decode(d, PgOutputSamples.insert(0));
      assertThatThrownBy(() -> i.newTuple().get(2).text())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("binary");
      assertThat(u.newTuple().get(1).bytes()).isNull();
    }

    @Test
    void decodedValuesDoNotShareTheCallersMemory() {
      byte[] bytes = PgOutputSamples.insert(0);
      Insert i = (Insert) decode(d, bytes);
      java.util.Arrays.fill(bytes, (byte) 0);
      assertThat(i.newTuple().get(0).text()).isEqualTo("42");
      assertThat(i.newTuple().get(2).buffer().get(2)).isEqualTo((byte) 0xFF);
    }

    @Test
    void callersBufferPositionAndLimitAreUntouched() {
      byte[] msg = PgOutputSamples.insert(0);
      byte[] framed = new byte[msg.length + 10];
      System.arraycopy(msg, 0, framed, 5, msg.length);
      ByteBuffer heap = ByteBuffer.wrap(framed, 5, msg.length);
      ByteBuffer direct = ByteBuffer.allocateDirect(framed.length).put(framed);
      direct.position(5).limit(5 + msg.length);

      for (ByteBuffer b : List.of(heap, direct)) {
        Insert i = (Insert) d.decode(b);
        assertThat(i.newTuple().get(1).text()).isEqualTo("Zoë 🐘");
        assertThat(b.position()).isEqualTo(5);
        assertThat(b.limit()).isEqualTo(5 + msg.length);
      }
    }
  }

  @Nested
  class Streaming {

    @Test
    void version2PrefixesChangesWithTheXidOnlyInsideAStreamBlock() {
      PgOutputDecoder d = withRelations(2, false);
      assertThat(decode(d, PgOutputSamples.streamStart(true)))
          .isEqualTo(new StreamStart(STREAM_XID, true));
      assertThat(d.inStreamBlock()).isTrue();

      Relation r = (Relation) decode(d, PgOutputSamples.accountsRelation(STREAM_XID));
      assertThat(r.xid()).isEqualTo(STREAM_XID);
      assertThat(((TypeInfo) decode(d, PgOutputSamples.type(STREAM_XID))).xid())
          .isEqualTo(STREAM_XID);
      assertThat(((Insert) decode(d, PgOutputSamples.insert(STREAM_XID))).xid())
          .isEqualTo(STREAM_XID);
      assertThat(((Update) decode(d, PgOutputSamples.updateWithKey(STREAM_XID))).xid())
          .isEqualTo(STREAM_XID);
      assertThat(((Update) decode(d, PgOutputSamples.updateNewOnly(STREAM_XID))).xid())
          .isEqualTo(STREAM_XID);
      assertThat(((Delete) decode(d, PgOutputSamples.deleteWithOld(STREAM_XID))).xid())
          .isEqualTo(STREAM_XID);
      assertThat(((Truncate) decode(d, PgOutputSamples.truncate(STREAM_XID))).relations())
          .hasSize(2);
      LogicalMessage m = (LogicalMessage) decode(d, PgOutputSamples.message(STREAM_XID, true));
      assertThat(m.xid()).isEqualTo(STREAM_XID);
      assertThat(m.prefix()).isEqualTo("slotkeeper");
      // Origin carries no xid even inside a block.
      assertThat(decode(d, PgOutputSamples.origin())).isInstanceOf(Origin.class);

      assertThat(decode(d, PgOutputSamples.streamStop())).isSameAs(StreamStop.INSTANCE);
      assertThat(d.inStreamBlock()).isFalse();
      assertThat(((Insert) decode(d, PgOutputSamples.insert(0))).xid()).isZero();

      assertThat(decode(d, PgOutputSamples.streamStart(false)))
          .isEqualTo(new StreamStart(STREAM_XID, false));
      decode(d, PgOutputSamples.streamStop());
      assertThat(decode(d, PgOutputSamples.streamCommit()))
          .isEqualTo(new StreamCommit(STREAM_XID, 0, lsn("0/3000000"), lsn("0/3000028"), T2));
    }

    @Test
    void aChangeWithoutItsXidInsideAStreamBlockIsRejected() {
      PgOutputDecoder d = withRelations(2, false);
      decode(d, PgOutputSamples.streamStart(true));
      // The oid is taken as the xid and the rest no longer lines up.
      assertThatThrownBy(() -> decode(d, PgOutputSamples.insert(0)))
          .isInstanceOf(PgOutputDecodeException.class);
      assertThat(d.inStreamBlock()).isTrue();
    }

    @Test
    void streamAbortBeforeProtocol4HasNoLsnOrTime() {
      PgOutputDecoder d = new PgOutputDecoder(2, false);
      StreamAbort a = (StreamAbort) decode(d, PgOutputSamples.streamAbort(false));
      assertThat(a).isEqualTo(new StreamAbort(STREAM_XID, STREAM_XID + 7, Lsn.INVALID, null));
      assertThat(a.hasAbortPosition()).isFalse();
      // Protocol 4 without parallel streaming: same layout.
      assertThat(decode(new PgOutputDecoder(4, false), PgOutputSamples.streamAbort(false)))
          .isEqualTo(a);
    }

    @Test
    void streamAbortWithParallelStreamingCarriesLsnAndTime() {
      StreamAbort a =
          (StreamAbort) decode(new PgOutputDecoder(4, true), PgOutputSamples.streamAbort(true));
      assertThat(a).isEqualTo(new StreamAbort(STREAM_XID, STREAM_XID + 7, lsn("0/4000000"), T2));
      assertThat(a.hasAbortPosition()).isTrue();
    }

    @Test
    void version1RejectsStreamingMessages() {
      PgOutputDecoder d = new PgOutputDecoder(1, false);
      for (byte[] m :
          List.of(
              PgOutputSamples.streamStart(true),
              PgOutputSamples.streamStop(),
              PgOutputSamples.streamCommit(),
              PgOutputSamples.streamAbort(false))) {
        assertThatThrownBy(() -> decode(d, m))
            .isInstanceOf(PgOutputDecodeException.class)
            .hasMessageContaining("needs protocol version 2");
      }
      // Version 1 still decodes ordinary messages, with no xid prefix.
      PgOutputDecoder v1 = withRelations(1, false);
      assertThat(((Insert) decode(v1, PgOutputSamples.insert(0))).newTuple().get(0).text())
          .isEqualTo("42");
    }

    @Test
    void streamBlockMarkersMustBeBalanced() {
      PgOutputDecoder d = new PgOutputDecoder(2, false);
      assertThatThrownBy(() -> decode(d, PgOutputSamples.streamStop()))
          .isInstanceOf(PgOutputDecodeException.class)
          .hasMessageContaining("without a preceding");
      decode(d, PgOutputSamples.streamStart(true));
      assertThatThrownBy(() -> decode(d, PgOutputSamples.streamStart(false)))
          .isInstanceOf(PgOutputDecodeException.class)
          .hasMessageContaining("already open");
      assertThat(d.inStreamBlock()).isTrue();
    }
  }

  @Nested
  class TwoPhase {

    private final PgOutputDecoder v3 = new PgOutputDecoder(3, false);

    @Test
    void beginPrepareAndPrepare() {
      assertThat(decode(v3, PgOutputSamples.beginPrepare()))
          .isEqualTo(new BeginPrepare(lsn("0/5000000"), lsn("0/5000030"), T1, 777, "gid-1"));
      assertThat(decode(v3, PgOutputSamples.prepare()))
          .isEqualTo(new Prepare(0, lsn("0/5000000"), lsn("0/5000030"), T1, 777, "gid-1"));
    }

    @Test
    void commitAndRollbackPrepared() {
      assertThat(decode(v3, PgOutputSamples.commitPrepared()))
          .isEqualTo(new CommitPrepared(0, lsn("0/6000000"), lsn("0/6000030"), T2, 777, "gid-1"));
      assertThat(decode(v3, PgOutputSamples.rollbackPrepared()))
          .isEqualTo(
              new RollbackPrepared(0, lsn("0/5000030"), lsn("0/7000030"), T1, T2, 777, "gid-1"));
    }

    @Test
    void streamPrepare() {
      StreamPrepare p = (StreamPrepare) decode(v3, PgOutputSamples.streamPrepare());
      assertThat(p)
          .isEqualTo(
              new StreamPrepare(0, lsn("0/8000000"), lsn("0/8000030"), T2, STREAM_XID, "gid-2"));
      assertThat(p.tag()).isEqualTo('p');
    }

    @Test
    void version2RejectsTwoPhaseMessages() {
      PgOutputDecoder v2 = new PgOutputDecoder(2, false);
      assertThatThrownBy(() -> decode(v2, PgOutputSamples.commitPrepared()))
          .isInstanceOf(PgOutputDecodeException.class)
          .hasMessageContaining("needs protocol version 3")
          .satisfies(e -> assertThat(((PgOutputDecodeException) e).messageType()).isEqualTo('K'));
    }
  }

  @Test
  void everySampleDecodesToARecordWithTheMatchingTag() {
    PgOutputDecoder outside = withRelations(4, true);
    for (byte[] m : PgOutputSamples.outsideStream()) {
      PgOutputDecoder d = withRelations(4, true);
      assertThat(decode(d, m).tag()).isEqualTo((char) m[0]);
    }
    decode(outside, PgOutputSamples.streamStart(true));
    for (byte[] m : PgOutputSamples.insideStream()) {
      assertThat(decode(outside, m).tag()).isEqualTo((char) m[0]);
    }
  }

  @Test
  void constructorValidatesTheProtocolOptions() {
    assertThatThrownBy(() -> new PgOutputDecoder(0, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PgOutputDecoder(5, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PgOutputDecoder(3, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 4");
  }
}
