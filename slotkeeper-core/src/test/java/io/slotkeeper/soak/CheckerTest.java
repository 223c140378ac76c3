package io.slotkeeper.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker must fail for each kind of break it is meant to find, and pass a clean run. */
class CheckerTest {
  private static Unit txn(long end, String change) {
    return new Unit(Unit.Kind.TRANSACTION, Lsn.of(end), end, List.of(change));
  }

  private static Unit msg(long end) {
    return new Unit(
        Unit.Kind.MESSAGE, Lsn.of(end), 0, List.of(Canon.message(false, "soak", "m" + end)));
  }

  private final List<Unit> oracle =
      List.of(
          txn(100, "INSERT t id=1"),
          msg(200),
          txn(300, "INSERT t id=2"),
          txn(400, "DELETE t id=1"));

  private static AckLog ackAll(List<Unit> units) {
    AckLog acks = new AckLog();
    units.forEach(u -> acks.acknowledging(u.position()));
    return acks;
  }

  @Test
  void aCleanRunPasses() {
    Checker c = new Checker(oracle);
    AckLog acks = ackAll(oracle);
    c.checkDeliveries(List.of(new Checker.Life(1, Lsn.of(50), oracle)), acks);
    c.checkConfirmed(List.of(new ConfirmedFlushPoller.Poll(Lsn.of(400), System.nanoTime())), acks);
    assertThat(c.failures).isEmpty();
  }

  @Test
  void aSkippedTransactionIsLost() {
    Checker c = new Checker(oracle);
    List<Unit> got = List.of(oracle.get(0), oracle.get(1), oracle.get(3));
    c.checkDeliveries(List.of(new Checker.Life(1, Lsn.of(50), got)), ackAll(got));
    assertThat(c.failures).anyMatch(f -> f.startsWith("check 1 (nothing lost"));
    assertThat(c.lost).isEqualTo(1);
  }

  @Test
  void aRepeatWithinOneIncarnationIsADuplicate() {
    Checker c = new Checker(oracle);
    List<Unit> got =
        List.of(oracle.get(0), oracle.get(1), oracle.get(1), oracle.get(2), oracle.get(3));
    c.checkDeliveries(List.of(new Checker.Life(1, Lsn.of(50), got)), ackAll(got));
    assertThat(c.failures).anyMatch(f -> f.startsWith("check 2"));
  }

  @Test
  void afterARestartOnlyWhatIsAboveTheConfirmedPositionComesAgain() {
    Checker c = new Checker(oracle);
    List<Unit> first = List.of(oracle.get(0), oracle.get(1), oracle.get(2));
    // The slot stood at 200 (after the message), yet the transaction ending at 100 came again.
    List<Unit> second = List.of(oracle.get(0), oracle.get(2), oracle.get(3));
    c.checkDeliveries(
        List.of(new Checker.Life(1, Lsn.of(50), first), new Checker.Life(2, Lsn.of(200), second)),
        ackAll(oracle));
    assertThat(c.failures).anyMatch(f -> f.startsWith("check 3 (only unconfirmed come again)"));
  }

  @Test
  void anUnacknowledgedUnitMustComeAgain() {
    Checker c = new Checker(oracle);
    List<Unit> first = List.of(oracle.get(0), oracle.get(1), oracle.get(2));
    AckLog acks = ackAll(List.of(oracle.get(0), oracle.get(1)));
    c.checkDeliveries(
        List.of(
            new Checker.Life(1, Lsn.of(50), first),
            new Checker.Life(2, Lsn.of(300), List.of(oracle.get(3)))),
        acks);
    assertThat(c.failures).anyMatch(f -> f.startsWith("check 3 (unacknowledged comes again)"));
  }

  @Test
  void aConfirmedPositionPastAnUnacknowledgedTransactionIsCaught() {
    Checker c = new Checker(oracle);
    AckLog acks = ackAll(List.of(oracle.get(0), oracle.get(1)));
    // The transaction ending at 300 starts at the message's end (200); confirming 300 passes it.
    c.checkConfirmed(
        List.of(
            new ConfirmedFlushPoller.Poll(Lsn.of(200), System.nanoTime()),
            new ConfirmedFlushPoller.Poll(Lsn.of(300), System.nanoTime())),
        acks);
    assertThat(c.failures).singleElement().asString().startsWith("check 4").contains("0/12C");
  }

  @Test
  void anAcknowledgementAfterThePollDoesNotExcuseIt() throws Exception {
    Checker c = new Checker(oracle);
    long polled = System.nanoTime();
    Thread.sleep(2);
    AckLog acks = ackAll(List.of(oracle.get(0)));
    c.checkConfirmed(List.of(new ConfirmedFlushPoller.Poll(Lsn.of(100), polled)), acks);
    assertThat(c.failures).singleElement().asString().contains("after that poll returned");
  }

  @Test
  void differentContentIsCaught() {
    Checker c = new Checker(oracle);
    List<Unit> got =
        List.of(oracle.get(0), oracle.get(1), txn(300, "INSERT t id=3"), oracle.get(3));
    c.checkDeliveries(List.of(new Checker.Life(1, Lsn.of(50), got)), ackAll(got));
    assertThat(c.failures).anyMatch(f -> f.startsWith("check 1 (content)"));
  }
}
