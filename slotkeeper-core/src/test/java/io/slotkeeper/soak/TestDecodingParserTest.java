package io.slotkeeper.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** test_decoding's text, as written by contrib/test_decoding/test_decoding.c, into units. */
class TestDecodingParserTest {
  @Test
  void transactionsMessagesAndEmptyTransactions() {
    TestDecodingParser p = new TestDecodingParser(true);
    p.accept(Lsn.parse("0/10"), "BEGIN 700");
    p.accept(
        Lsn.parse("0/18"),
        "table public.soak_t1: INSERT: id[bigint]:1 v[text]:'a''b' big[text]:null");
    p.accept(Lsn.parse("0/20"), "message: transactional: 1 prefix: soak, sz: 2 content:hi");
    p.accept(
        Lsn.parse("0/28"),
        "table public.soak_t1: UPDATE: id[bigint]:1 v[text]:'x' big[text]:unchanged-toast-datum");
    p.accept(Lsn.parse("0/30"), "table public.soak_t1, public.soak_t2: TRUNCATE: (no-flags)");
    p.accept(Lsn.parse("0/38"), "table public.soak_t2: DELETE: id[bigint]:7");
    p.accept(Lsn.parse("0/48"), "COMMIT 700");
    p.accept(Lsn.parse("0/60"), "message: transactional: 0 prefix: soak, sz: 3 content:abc");
    p.accept(Lsn.parse("0/70"), "BEGIN 701");
    p.accept(Lsn.parse("0/80"), "COMMIT 701");

    List<Unit> units = p.units();
    assertThat(units).hasSize(2);
    assertThat(units.get(0).position()).isEqualTo(Lsn.parse("0/48"));
    assertThat(units.get(0).xid()).isEqualTo(700);
    assertThat(units.get(0).changes())
        .containsExactly(
            "INSERT soak_t1 id=1 v=a'b big=null",
            "MESSAGE-T soak hi",
            "UPDATE soak_t1 id=1 v=x big=unchanged",
            "TRUNCATE soak_t1,soak_t2",
            "DELETE soak_t2 id=7");
    assertThat(units.get(1))
        .isEqualTo(
            new Unit(Unit.Kind.MESSAGE, Lsn.parse("0/60"), 0, List.of("MESSAGE-N soak abc")));
  }

  @Test
  void withoutMessagesATransactionOfOnlyAMessageIsEmpty() {
    TestDecodingParser p = new TestDecodingParser(false);
    p.accept(Lsn.parse("0/10"), "BEGIN 700");
    p.accept(Lsn.parse("0/20"), "message: transactional: 1 prefix: soak, sz: 2 content:hi");
    p.accept(Lsn.parse("0/48"), "COMMIT 700");
    p.accept(Lsn.parse("0/60"), "message: transactional: 0 prefix: soak, sz: 3 content:abc");
    assertThat(p.units()).isEmpty();
  }
}
