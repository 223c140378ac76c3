package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.StreamSettings.Binary;
import io.slotkeeper.pgoutput.PgTypeOids;
import io.slotkeeper.pgoutput.PgUserType;
import io.slotkeeper.pgoutput.ValueFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinaryDecisionTest {
  private static final int MONEY = 790;
  private static final int COMPOSITE = 90001;
  private static final int MOOD = 90002;
  private static final int AMOUNT = 90003;

  private static BinaryDecision.Column col(String name, int oid) {
    return new BinaryDecision.Column("public.t", name, oid, "type" + oid);
  }

  private static final ValueFormat CATALOG =
      ValueFormat.DEFAULT.withUserTypes(
          Map.of(
              MOOD, PgUserType.of(String.valueOf(MOOD), "e", null),
              AMOUNT,
                  PgUserType.of(String.valueOf(AMOUNT), "d", String.valueOf(PgTypeOids.NUMERIC))));

  @Test
  void autoIsBinaryWhenEveryTypeHasACodec() {
    List<BinaryDecision.Column> cols =
        List.of(
            col("id", PgTypeOids.INT4),
            col("t", PgTypeOids.TEXT),
            col("ts", PgTypeOids.TIMESTAMPTZ),
            col("m", MOOD),
            col("a", AMOUNT));
    assertThat(BinaryDecision.decide(Binary.AUTO, 16, cols, CATALOG).binary()).isTrue();
    assertThat(BinaryDecision.decide(Binary.AUTO, 14, List.of(), CATALOG).binary()).isTrue();
  }

  @Test
  void autoIsTextForATypeWithoutCodecNamingTheColumn() {
    BinaryDecision.Choice c =
        BinaryDecision.decide(
            Binary.AUTO, 16, List.of(col("id", PgTypeOids.INT4), col("p", COMPOSITE)), CATALOG);
    assertThat(c.binary()).isFalse();
    assertThat(c.toString()).contains("binary off").contains("public.t.p").contains("type90001");
  }

  @Test
  void autoIsTextOn13AndForMoneyUnlessLcMonetaryIsC() {
    assertThat(
            BinaryDecision.decide(Binary.AUTO, 13, List.of(col("id", PgTypeOids.INT4)), CATALOG)
                .binary())
        .isFalse();
    List<BinaryDecision.Column> money = List.of(col("m", MONEY));
    assertThat(BinaryDecision.decide(Binary.AUTO, 16, money, CATALOG.withLcMonetary("C")).binary())
        .isTrue();
    assertThat(
            BinaryDecision.decide(Binary.AUTO, 16, money, CATALOG.withLcMonetary("en_US.UTF-8"))
                .binary())
        .isFalse();
  }

  @Test
  void onAndOffAreWhatTheySay() {
    List<BinaryDecision.Column> composite = List.of(col("p", COMPOSITE));
    assertThat(BinaryDecision.decide(Binary.ON, 16, composite, CATALOG).binary()).isTrue();
    assertThat(BinaryDecision.decide(Binary.OFF, 16, List.of(), CATALOG).binary()).isFalse();
  }
}
