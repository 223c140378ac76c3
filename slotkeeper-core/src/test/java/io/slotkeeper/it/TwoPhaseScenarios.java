package io.slotkeeper.it;

import static io.slotkeeper.it.SlotQueries.confirmedFlush;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.pgoutput.CommitPrepared;
import io.slotkeeper.pgoutput.Prepare;
import io.slotkeeper.pgoutput.RollbackPrepared;
import io.slotkeeper.pgoutput.StreamPrepare;
import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, two-phase: with {@code slot.two-phase = on} a prepared transaction arrives at PREPARE
 * (BEGIN_PREPARE, changes, PREPARE) and its outcome later (COMMIT_PREPARED / ROLLBACK_PREPARED),
 * each with its GID; the acknowledgement rules hold across restarts between PREPARE and COMMIT
 * PREPARED (docs/architecture.md, "What each LSN means"). Every server has {@code
 * max_prepared_transactions} above 0.
 */
abstract class TwoPhaseScenarios extends ActorSystemPerClass {
  static final Duration WAIT = Duration.ofSeconds(60);

  abstract PostgresServer pg();

  /** A table {@code name}, its publication {@code name_pub}. */
  private void table(String name) {
    pg().execute("CREATE TABLE " + name + " (id int PRIMARY KEY, note text)");
    pg().execute("CREATE PUBLICATION " + name + "_pub FOR TABLE " + name);
  }

  private SourceSettings settings(String slot, String table) {
    return Harness.settings(pg(), slot, table + "_pub")
        .withCreateSlotIfMissing(true)
        .withTwoPhase(true)
        .withKeepaliveInterval(Duration.ofMillis(300));
  }

  /** {@code BEGIN; INSERT ids...; PREPARE TRANSACTION gid} on its own session. */
  private void prepare(String table, String gid, int from, int to) throws Exception {
    try (Connection c = pg().connect();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      for (int id = from; id <= to; id++) {
        st.execute("INSERT INTO " + table + " VALUES (" + id + ", 'row " + id + "')");
      }
      st.execute("PREPARE TRANSACTION '" + gid + "'");
    }
  }

  private void insert(String table, int id) {
    pg().execute("INSERT INTO " + table + " VALUES (" + id + ", 'row " + id + "')");
  }

  private static List<Kind> kinds(List<ChangeEnvelope> got) {
    // A copy first: the consumer appends while a test waits (the list's stream is no snapshot).
    return List.copyOf(got).stream().map(ChangeEnvelope::kind).toList();
  }

  private static ChangeEnvelope first(List<ChangeEnvelope> got, Kind kind) {
    return got.stream().filter(e -> e.kind() == kind).findFirst().orElseThrow();
  }

  /**
   * The consumer's process dies: its actor system ends under the running source, and its walsender
   * ends as the kernel would end it (closing its socket).
   */
  private void crash(ActorSystem<Void> system, String slot) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    pg().execute(
            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
                + slot
                + "' AND active_pid IS NOT NULL");
    Harness.await(
        "the crashed process's walsender to end",
        WAIT,
        () ->
            pg().queryLong(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                            + slot
                            + "' AND NOT active")
                == 1);
  }

  private final List<ActorSystem<Void>> processes = new java.util.ArrayList<>();

  private ActorSystem<Void> process(String name) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name);
    processes.add(system);
    return system;
  }

  /**
   * A prepared transaction left behind by a failed test would hold every later slot creation (the
   * snapshot builder waits for it), and a process left running would keep its source going.
   */
  @AfterEach
  void cleanUp() throws Exception {
    for (ActorSystem<Void> system : processes) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    for (String gid : pg().queryColumn("SELECT gid FROM pg_prepared_xacts")) {
      pg().execute("ROLLBACK PREPARED '" + gid + "'");
    }
  }

  @Test
  void preparedTransactionsArriveAtPrepareAndTheirOutcomeLaterWithTheirGid() throws Exception {
    table("tp_basic");
    try (Harness h = Harness.start(kit.system(), settings("tp_basic_slot", "tp_basic"))) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      assertThat(
              pg().queryString(
                      "SELECT two_phase::text FROM pg_replication_slots"
                          + " WHERE slot_name = 'tp_basic_slot'"))
          .as("the slot was created with TWO_PHASE")
          .isEqualTo("true");
      prepare("tp_basic", "g_commit", 1, 2);
      prepare("tp_basic", "g_rollback", 3, 3);
      Harness.await("both PREPAREs", WAIT, () -> kinds(h.consumer.received).contains(Kind.PREPARE));
      Harness.await(
          "both PREPAREs",
          WAIT,
          () -> kinds(h.consumer.received).stream().filter(k -> k == Kind.PREPARE).count() == 2);
      pg().execute("COMMIT PREPARED 'g_commit'");
      pg().execute("ROLLBACK PREPARED 'g_rollback'");
      Harness.await(
          "the rollback", WAIT, () -> kinds(h.consumer.received).contains(Kind.ROLLBACK_PREPARED));

      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(kinds(got))
          .containsExactly(
              Kind.BEGIN_PREPARE,
              Kind.INSERT,
              Kind.INSERT,
              Kind.PREPARE,
              Kind.BEGIN_PREPARE,
              Kind.INSERT,
              Kind.PREPARE,
              Kind.COMMIT_PREPARED,
              Kind.ROLLBACK_PREPARED);
      assertThat(got.stream().map(e -> e.gid().orElse("-")).toList())
          .containsExactly(
              "g_commit",
              "-",
              "-",
              "g_commit",
              "g_rollback",
              "-",
              "g_rollback",
              "g_commit",
              "g_rollback");
      assertThat(h.consumer.insertedIds("tp_basic")).containsExactly("1", "2", "3");
      Prepare p = (Prepare) got.get(3).message();
      assertThat(got.get(3).lsn()).isEqualTo(p.prepareLsn());
      assertThat(got.get(0).commitLsn()).isEqualTo(p.prepareLsn());
      assertThat(got.get(1).commitLsn()).isEqualTo(p.prepareLsn());
      assertThat(got.get(0).xid()).isEqualTo(p.xid()).isEqualTo(got.get(1).xid());
      assertThat(p.endLsn()).isGreaterThan(p.prepareLsn());
      CommitPrepared c = (CommitPrepared) got.get(7).message();
      assertThat(c.xid()).isEqualTo(p.xid());
      assertThat(c.commitLsn()).isGreaterThanOrEqualTo(((Prepare) got.get(6).message()).endLsn());
      RollbackPrepared r = (RollbackPrepared) got.get(8).message();
      assertThat(r.prepareEndLsn()).isEqualTo(((Prepare) got.get(6).message()).endLsn());
      assertThat(got.get(8).lsn()).isEqualTo(r.rollbackEndLsn());
      Harness.await(
          "the slot to reach the rollback's end",
          WAIT,
          () -> confirmedFlush(pg(), "tp_basic_slot").compareTo(r.rollbackEndLsn()) >= 0);
    }
  }

  @Test
  void anAcknowledgedPrepareIsNotSentAgainAfterACrashOnlyItsCommitPrepared() throws Exception {
    table("tp_acked");
    ActorSystem<Void> firstProcess = process("tp-acked-first");
    Harness first = Harness.start(firstProcess, settings("tp_acked_slot", "tp_acked"));
    first.awaitLevel(StatusLevel.ACTIVE, WAIT);
    prepare("tp_acked", "acked", 1, 3);
    Harness.await("the PREPARE", WAIT, () -> kinds(first.consumer.received).contains(Kind.PREPARE));
    Lsn prepareEnd = ((Prepare) first(first.consumer.received, Kind.PREPARE).message()).endLsn();
    Harness.await(
        "the slot to reach the acknowledged PREPARE's end",
        WAIT,
        () -> confirmedFlush(pg(), "tp_acked_slot").compareTo(prepareEnd) >= 0);
    crash(firstProcess, "tp_acked_slot");
    pg().execute("COMMIT PREPARED 'acked'");
    insert("tp_acked", 10);

    try (Harness second = Harness.start(kit.system(), settings("tp_acked_slot", "tp_acked"))) {
      Harness.await("the row committed after", WAIT, () -> second.consumer.commits().size() == 1);
      List<ChangeEnvelope> got = List.copyOf(second.consumer.received);
      assertThat(kinds(got))
          .as("only the COMMIT PREPARED of the acknowledged PREPARE, then the next transaction")
          .containsExactly(Kind.COMMIT_PREPARED, Kind.BEGIN, Kind.INSERT, Kind.COMMIT);
      assertThat(got.get(0).gid()).contains("acked");
      // Nothing else was written in between: the COMMIT PREPARED record starts exactly where the
      // acknowledged PREPARE ended, which is the slot's position, and is still sent.
      assertThat(((CommitPrepared) got.get(0).message()).commitLsn())
          .isGreaterThanOrEqualTo(prepareEnd);
    }
  }

  @Test
  void anUnacknowledgedPrepareComesAgainWholeAfterACrashThenItsCommitPrepared() throws Exception {
    table("tp_unacked");
    ActorSystem<Void> firstProcess = process("tp-unacked-first");
    Harness.Consumer nothingAcked = new Harness.Consumer();
    nothingAcked.autoAck = e -> false;
    Harness first =
        Harness.start(firstProcess, settings("tp_unacked_slot", "tp_unacked"), nothingAcked);
    first.awaitLevel(StatusLevel.ACTIVE, WAIT);
    Lsn start = confirmedFlush(pg(), "tp_unacked_slot");
    prepare("tp_unacked", "unacked", 1, 3);
    Harness.await("the PREPARE", WAIT, () -> kinds(first.consumer.received).contains(Kind.PREPARE));
    ChangeEnvelope firstPrepare = first(first.consumer.received, Kind.PREPARE);
    Thread.sleep(1000); // several status updates
    assertThat(confirmedFlush(pg(), "tp_unacked_slot"))
        .as("never past the unacknowledged PREPARE")
        .isEqualTo(start)
        .isLessThan(((Prepare) firstPrepare.message()).prepareLsn());
    crash(firstProcess, "tp_unacked_slot");
    pg().execute("COMMIT PREPARED 'unacked'");

    try (Harness second = Harness.start(kit.system(), settings("tp_unacked_slot", "tp_unacked"))) {
      Harness.await(
          "the COMMIT PREPARED",
          WAIT,
          () -> kinds(second.consumer.received).contains(Kind.COMMIT_PREPARED));
      List<ChangeEnvelope> got = List.copyOf(second.consumer.received);
      assertThat(kinds(got))
          .containsExactly(
              Kind.BEGIN_PREPARE,
              Kind.INSERT,
              Kind.INSERT,
              Kind.INSERT,
              Kind.PREPARE,
              Kind.COMMIT_PREPARED);
      assertThat(second.consumer.insertedIds("tp_unacked")).containsExactly("1", "2", "3");
      assertThat(got.get(4).lsn()).isEqualTo(firstPrepare.lsn());
      assertThat(got.get(4).gid()).contains("unacked");
      Lsn end = ((CommitPrepared) got.get(5).message()).endLsn();
      Harness.await(
          "the slot to reach the COMMIT PREPARED's end",
          WAIT,
          () -> confirmedFlush(pg(), "tp_unacked_slot").compareTo(end) >= 0);
    }
  }

  @Test
  void aReconnectBetweenPrepareAndCommitPreparedDeliversNeitherTwiceInOneRun() throws Exception {
    table("tp_reconnect");
    Harness.Consumer nothingAcked = new Harness.Consumer();
    nothingAcked.autoAck = e -> false;
    try (Harness h =
        Harness.start(kit.system(), settings("tp_reconnect_slot", "tp_reconnect"), nothingAcked)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      prepare("tp_reconnect", "reconnect", 1, 2);
      Harness.await("the PREPARE", WAIT, () -> kinds(h.consumer.received).contains(Kind.PREPARE));
      pg().terminateWalsender("tp_reconnect_slot");
      Harness.await("a reconnect", WAIT, () -> h.control.progress().reconnects() >= 1);
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      pg().execute("COMMIT PREPARED 'reconnect'");
      Harness.await(
          "the COMMIT PREPARED",
          WAIT,
          () -> kinds(h.consumer.received).contains(Kind.COMMIT_PREPARED));
      pg().terminateWalsender("tp_reconnect_slot");
      Harness.await("a second reconnect", WAIT, () -> h.control.progress().reconnects() >= 2);
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      insert("tp_reconnect", 10);
      Harness.await("the next row", WAIT, () -> h.consumer.commits().size() == 1);
      assertThat(kinds(h.consumer.received))
          .as(
              "the server sent the PREPARE and the COMMIT PREPARED again; the run delivers each once")
          .containsExactly(
              Kind.BEGIN_PREPARE,
              Kind.INSERT,
              Kind.INSERT,
              Kind.PREPARE,
              Kind.COMMIT_PREPARED,
              Kind.BEGIN,
              Kind.INSERT,
              Kind.COMMIT);
    }
  }

  @Test
  void anAcknowledgedPrepareRolledBackAfterACrashArrivesAsItsRollbackOnly() throws Exception {
    table("tp_rollback");
    ActorSystem<Void> firstProcess = process("tp-rollback-first");
    Harness first = Harness.start(firstProcess, settings("tp_rollback_slot", "tp_rollback"));
    first.awaitLevel(StatusLevel.ACTIVE, WAIT);
    prepare("tp_rollback", "to_roll_back", 1, 2);
    Harness.await("the PREPARE", WAIT, () -> kinds(first.consumer.received).contains(Kind.PREPARE));
    Lsn prepareEnd = ((Prepare) first(first.consumer.received, Kind.PREPARE).message()).endLsn();
    Harness.await(
        "the slot to reach the PREPARE's end",
        WAIT,
        () -> confirmedFlush(pg(), "tp_rollback_slot").compareTo(prepareEnd) >= 0);
    crash(firstProcess, "tp_rollback_slot");
    pg().execute("ROLLBACK PREPARED 'to_roll_back'");

    try (Harness second =
        Harness.start(kit.system(), settings("tp_rollback_slot", "tp_rollback"))) {
      Harness.await(
          "the ROLLBACK PREPARED",
          WAIT,
          () -> kinds(second.consumer.received).contains(Kind.ROLLBACK_PREPARED));
      List<ChangeEnvelope> got = List.copyOf(second.consumer.received);
      assertThat(kinds(got)).containsExactly(Kind.ROLLBACK_PREPARED);
      RollbackPrepared r = (RollbackPrepared) got.get(0).message();
      assertThat(r.gid()).isEqualTo("to_roll_back");
      assertThat(r.prepareEndLsn()).isEqualTo(prepareEnd);
      Harness.await(
          "the slot to reach the rollback's end",
          WAIT,
          () -> confirmedFlush(pg(), "tp_rollback_slot").compareTo(r.rollbackEndLsn()) >= 0);
    }
  }

  /**
   * A transaction prepared before two-phase decoding started at the slot (here: two-phase turned on
   * for a slot that had already passed the PREPARE) is sent whole, BEGIN_PREPARE to PREPARE, right
   * before its COMMIT PREPARED, with its PREPARE record below where the stream started and below
   * transactions already delivered in this run. It must be delivered (a dedupe by position would
   * drop it), once per run, and its PREPARE acknowledges nothing.
   */
  @Test
  void aTransactionPreparedBeforeTwoPhaseStartedArrivesWholeBeforeItsCommitPrepared()
      throws Exception {
    table("tp_late");
    pg().execute("SELECT pg_create_logical_replication_slot('tp_late_slot', 'pgoutput')");
    prepare("tp_late", "late", 1, 2);
    insert("tp_late", 10);
    // Without two-phase the PREPARE is not decoded; acknowledging the row after it moves the slot
    // past the PREPARE record.
    try (Harness plain =
        Harness.start(kit.system(), settings("tp_late_slot", "tp_late").withTwoPhase(false))) {
      Harness.await("the row", WAIT, () -> plain.consumer.commits().size() == 1);
      assertThat(plain.consumer.insertedIds("tp_late")).containsExactly("10");
      Lsn end =
          ((io.slotkeeper.pgoutput.Commit) plain.consumer.commits().get(0).message()).endLsn();
      Harness.await(
          "the slot past the PREPARE",
          WAIT,
          () -> confirmedFlush(pg(), "tp_late_slot").compareTo(end) >= 0);
    }
    Lsn twoPhaseAt = confirmedFlush(pg(), "tp_late_slot");

    // Acknowledges the first row's transaction and the late PREPARE, nothing else (a later
    // acknowledgement would cover the COMMIT PREPARED too: they are cumulative).
    Harness.Consumer consumer = new Harness.Consumer();
    java.util.concurrent.atomic.AtomicInteger commits =
        new java.util.concurrent.atomic.AtomicInteger();
    consumer.autoAck =
        e ->
            e.kind() == Kind.PREPARE || (e.kind() == Kind.COMMIT && commits.incrementAndGet() == 1);
    try (Harness h = Harness.start(kit.system(), settings("tp_late_slot", "tp_late"), consumer)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      insert("tp_late", 11);
      Harness.await("the row before", WAIT, () -> h.consumer.commits().size() == 1);
      pg().execute("COMMIT PREPARED 'late'");
      Harness.await(
          "the COMMIT PREPARED",
          WAIT,
          () -> kinds(h.consumer.received).contains(Kind.COMMIT_PREPARED));
      // The server sends it again on a reconnect (its COMMIT PREPARED is unacknowledged).
      pg().terminateWalsender("tp_late_slot");
      Harness.await("a reconnect", WAIT, () -> h.control.progress().reconnects() >= 1);
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      insert("tp_late", 12);
      Harness.await("the row after", WAIT, () -> h.consumer.commits().size() == 2);

      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(kinds(got))
          .containsExactly(
              Kind.BEGIN,
              Kind.INSERT,
              Kind.COMMIT,
              Kind.BEGIN_PREPARE,
              Kind.INSERT,
              Kind.INSERT,
              Kind.PREPARE,
              Kind.COMMIT_PREPARED,
              Kind.BEGIN,
              Kind.INSERT,
              Kind.COMMIT);
      assertThat(h.consumer.insertedIds("tp_late")).containsExactly("11", "1", "2", "12");
      Prepare late = (Prepare) got.get(6).message();
      assertThat(late.gid()).isEqualTo("late");
      assertThat(late.prepareLsn())
          .as("prepared before two-phase decoding started at the slot")
          .isLessThan(twoPhaseAt);
      Lsn commitPreparedStart = ((CommitPrepared) got.get(7).message()).commitLsn();
      Lsn firstRowEnd = ((io.slotkeeper.pgoutput.Commit) got.get(2).message()).endLsn();
      Harness.await(
          "the slot at the first row's end",
          WAIT,
          () -> confirmedFlush(pg(), "tp_late_slot").equals(firstRowEnd));
      Thread.sleep(1000); // several status updates
      assertThat(confirmedFlush(pg(), "tp_late_slot"))
          .as("the acknowledged late PREPARE moves nothing; the COMMIT PREPARED is unacknowledged")
          .isEqualTo(firstRowEnd)
          .isLessThanOrEqualTo(commitPreparedStart);
    }
  }

  @Test
  void aSlotCreatedWithAnInitialSnapshotAndTwoPhaseDeliversTheSnapshotThenPreparedTransactions()
      throws Exception {
    table("tp_snap");
    insert("tp_snap", 1);
    SourceSettings s =
        settings("tp_snap_slot", "tp_snap")
            .withSnapshot(io.slotkeeper.SlotSettings.Snapshot.INITIAL);
    try (Harness h = Harness.start(kit.system(), s)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      prepare("tp_snap", "after_snapshot", 2, 2);
      pg().execute("COMMIT PREPARED 'after_snapshot'");
      Harness.await(
          "the COMMIT PREPARED",
          WAIT,
          () -> kinds(h.consumer.received).contains(Kind.COMMIT_PREPARED));
      assertThat(kinds(h.consumer.received))
          .containsExactly(
              Kind.SNAPSHOT, Kind.BEGIN_PREPARE, Kind.INSERT, Kind.PREPARE, Kind.COMMIT_PREPARED);
      assertThat(h.consumer.insertedIds("tp_snap")).containsExactly("2");
    }
  }

  /**
   * A slot that decodes prepared transactions keeps doing so whatever START_REPLICATION asks
   * (pgoutput.c), so a source with two-phase off must not stream from it: its consumer would get
   * PREPARE envelopes it did not ask for.
   */
  @Test
  void aTwoPhaseSlotWithTwoPhaseOffFailsNamingTheFix() throws Exception {
    table("tp_mismatch");
    pg().execute(
            "SELECT pg_create_logical_replication_slot('tp_mismatch_slot', 'pgoutput', false, true)");
    Harness h =
        Harness.start(
            kit.system(), settings("tp_mismatch_slot", "tp_mismatch").withTwoPhase(false));
    try {
      Harness.await("FAILED", WAIT, () -> h.control.status().level() == StatusLevel.FAILED);
      assertThat(h.control.status().reason()).contains("two_phase").contains("slot.two-phase");
      assertThat(h.control.status().error())
          .hasValueSatisfying(
              e -> {
                assertThat(e.kind()).isEqualTo(io.slotkeeper.FailureKind.CONFIGURATION);
                assertThat(e.remediation()).contains("slot.two-phase = on");
              });
      assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
    } finally {
      h.close();
    }
  }

  @Test
  void aLargePreparedTransactionStreamedWhileInProgressArrivesWholeAtPrepare() throws Exception {
    table("tp_streamed");
    SourceSettings s =
        settings("tp_streamed_slot", "tp_streamed")
            .withStream(
                settings("tp_streamed_slot", "tp_streamed").stream()
                    .withStreaming(StreamSettings.Streaming.ON));
    try (Harness h = Harness.start(kit.system(), s)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      try (Connection c = pg().connect();
          Statement st = c.createStatement()) {
        st.execute("BEGIN");
        st.execute(
            "INSERT INTO tp_streamed SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g");
        st.execute("PREPARE TRANSACTION 'big'");
      }
      Harness.await("the PREPARE", WAIT, () -> kinds(h.consumer.received).contains(Kind.PREPARE));
      Harness.await(
          "the server's count of streamed transactions (it streamed the transaction, then sent"
              + " Stream Prepare)",
          WAIT,
          () ->
              pg().queryLong(
                          "SELECT stream_txns FROM pg_stat_replication_slots"
                              + " WHERE slot_name = 'tp_streamed_slot'")
                  > 0);
      pg().execute("COMMIT PREPARED 'big'");
      Harness.await(
          "the COMMIT PREPARED",
          WAIT,
          () -> kinds(h.consumer.received).contains(Kind.COMMIT_PREPARED));
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(got).hasSize(5003);
      assertThat(got.get(0).kind()).isEqualTo(Kind.BEGIN_PREPARE);
      assertThat(got.get(5001).kind()).isEqualTo(Kind.PREPARE);
      assertThat(got.get(5002).kind()).isEqualTo(Kind.COMMIT_PREPARED);
      assertThat(got.get(5001).gid()).contains("big");
      assertThat(h.consumer.insertedIds("tp_streamed")).hasSize(5000).doesNotHaveDuplicates();
    }
  }

  private SourceSettings deliverInProgress(String slot, String table) {
    SourceSettings s = settings(slot, table).withStreaming(StreamSettings.Streaming.ON);
    return s.withStream(s.stream().withDeliverInProgress(true));
  }

  /** {@code BEGIN; INSERT 5,000 rows (about 1 MB, past 64kB of work memory); PREPARE}. */
  private void prepareLarge(String table, String gid) throws Exception {
    try (Connection c = pg().connect();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      st.execute(
          "INSERT INTO " + table + " SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g");
      st.execute("PREPARE TRANSACTION '" + gid + "'");
    }
  }

  /**
   * deliver-in-progress with two-phase: a streamed transaction that is prepared ends with a
   * STREAM_PREPARE carrying its GID, after its chunks went out as they arrived; its offset
   * acknowledges the prepared transaction (the end of the PREPARE record), so only its
   * COMMIT_PREPARED follows after a crash.
   */
  @Test
  void deliveredInProgressAStreamedPreparedTransactionEndsWithStreamPrepare() throws Exception {
    table("tp_dip");
    ActorSystem<Void> firstProcess = process("tp-dip-first");
    Harness first = Harness.start(firstProcess, deliverInProgress("tp_dip_slot", "tp_dip"));
    first.awaitLevel(StatusLevel.ACTIVE, WAIT);
    prepareLarge("tp_dip", "dip");
    Harness.await(
        "the STREAM_PREPARE",
        WAIT,
        () -> kinds(first.consumer.received).contains(Kind.STREAM_PREPARE));
    List<ChangeEnvelope> got = List.copyOf(first.consumer.received);
    assertThat(got.get(0).kind()).isEqualTo(Kind.STREAM_START);
    assertThat(
            got.stream().filter(e -> e.kind() == Kind.INSERT).allMatch(ChangeEnvelope::inProgress))
        .as("every row went out in progress")
        .isTrue();
    assertThat(first.consumer.insertedIds("tp_dip")).hasSize(5000).doesNotHaveDuplicates();
    ChangeEnvelope prepared = got.get(got.size() - 1);
    assertThat(prepared.kind()).isEqualTo(Kind.STREAM_PREPARE);
    assertThat(prepared.gid()).contains("dip");
    Lsn prepareEnd = ((StreamPrepare) prepared.message()).endLsn();
    Harness.await(
        "the slot to reach the acknowledged STREAM_PREPARE's end",
        WAIT,
        () -> confirmedFlush(pg(), "tp_dip_slot").compareTo(prepareEnd) >= 0);
    crash(firstProcess, "tp_dip_slot");
    pg().execute("COMMIT PREPARED 'dip'");
    try (Harness second = Harness.start(kit.system(), deliverInProgress("tp_dip_slot", "tp_dip"))) {
      Harness.await(
          "the COMMIT PREPARED",
          WAIT,
          () -> kinds(second.consumer.received).contains(Kind.COMMIT_PREPARED));
      assertThat(kinds(second.consumer.received))
          .as("only the outcome of the acknowledged STREAM_PREPARE")
          .containsExactly(Kind.COMMIT_PREPARED);
      assertThat(second.consumer.received.get(0).gid()).contains("dip");
    }
  }

  /**
   * An unacknowledged STREAM_PREPARE: a reconnect makes the server stream the transaction again
   * from its first segment; in the same run none of it goes downstream twice, and after a crash it
   * all comes again before its COMMIT_PREPARED.
   */
  @Test
  void anUnacknowledgedStreamPrepareIsNotDeliveredTwiceInOneRunAndComesAgainAfterACrash()
      throws Exception {
    table("tp_dip_unacked");
    ActorSystem<Void> firstProcess = process("tp-dip-unacked-first");
    Harness.Consumer nothingAcked = new Harness.Consumer();
    nothingAcked.autoAck = e -> false;
    Harness first =
        Harness.start(
            firstProcess, deliverInProgress("tp_dip_unacked_slot", "tp_dip_unacked"), nothingAcked);
    first.awaitLevel(StatusLevel.ACTIVE, WAIT);
    Lsn start = confirmedFlush(pg(), "tp_dip_unacked_slot");
    prepareLarge("tp_dip_unacked", "dip_unacked");
    Harness.await(
        "the STREAM_PREPARE",
        WAIT,
        () -> kinds(first.consumer.received).contains(Kind.STREAM_PREPARE));
    int delivered = first.consumer.received.size();
    pg().terminateWalsender("tp_dip_unacked_slot");
    Harness.await("a reconnect", WAIT, () -> first.control.progress().reconnects() >= 1);
    first.awaitLevel(StatusLevel.ACTIVE, WAIT);
    insert("tp_dip_unacked", 10_000);
    Harness.await("the next row", WAIT, () -> first.consumer.commits().size() == 1);
    assertThat(first.consumer.received.size())
        .as("the re-streamed prepared transaction was not delivered again, only the next one")
        .isEqualTo(delivered + 3);
    // Nothing was acknowledged, so only an idle advance may have moved the slot: to a keepalive's
    // WAL end that came before the first chunk (the walsender decodes the transaction's records
    // before it streams any), which docs/architecture.md ("What each LSN means") shows safe. What
    // must hold is the invariant: the server sends the prepared transaction again, which it does
    // while its PREPARE record starts at or after confirmed_flush. (The check was equality with the
    // start, and failed once when such a keepalive came in that window.)
    Lsn prepareStart =
        first.consumer.received.stream()
            .filter(e -> e.kind() == Kind.STREAM_PREPARE)
            .map(e -> ((StreamPrepare) e.message()).prepareLsn())
            .findFirst()
            .orElseThrow();
    assertThat(confirmedFlush(pg(), "tp_dip_unacked_slot"))
        .as("never past the unacknowledged STREAM_PREPARE (its record starts at %s)", prepareStart)
        .isGreaterThanOrEqualTo(start)
        .isLessThanOrEqualTo(prepareStart);
    crash(firstProcess, "tp_dip_unacked_slot");
    pg().execute("COMMIT PREPARED 'dip_unacked'");
    try (Harness second =
        Harness.start(kit.system(), deliverInProgress("tp_dip_unacked_slot", "tp_dip_unacked"))) {
      Harness.await(
          "the COMMIT PREPARED",
          WAIT,
          () -> kinds(second.consumer.received).contains(Kind.COMMIT_PREPARED));
      Harness.await("the next row", WAIT, () -> second.consumer.commits().size() == 1);
      List<Kind> kinds = kinds(second.consumer.received);
      assertThat(kinds.get(0)).isEqualTo(Kind.STREAM_START);
      // In WAL order: the prepared transaction, the row committed after the reconnect, then the
      // COMMIT PREPARED.
      assertThat(kinds)
          .endsWith(
              Kind.STREAM_STOP,
              Kind.STREAM_PREPARE,
              Kind.BEGIN,
              Kind.INSERT,
              Kind.COMMIT,
              Kind.COMMIT_PREPARED);
      assertThat(second.consumer.insertedIds("tp_dip_unacked"))
          .hasSize(5001)
          .doesNotHaveDuplicates();
    }
  }
}
