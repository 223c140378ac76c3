package io.slotkeeper.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.cluster.internal.ClusterSourceSerializer;
import io.slotkeeper.cluster.internal.SourceEntity;
import io.slotkeeper.cluster.internal.SourceSingleton;
import java.io.NotSerializableException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ClusterSourceSerializerTest {
  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Through Pekko's serialization, so the reference.conf bindings are tested too. */
  private static Object roundTrip(Object message) throws NotSerializableException {
    Serialization serialization = SerializationExtension.get(kit.system());
    org.apache.pekko.serialization.Serializer serializer = serialization.findSerializerFor(message);
    assertThat(serializer).isInstanceOf(ClusterSourceSerializer.class);
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  @Test
  void statusSurvivesTheTrip() throws Exception {
    ClusterSourceStatus status =
        new ClusterSourceStatus(
            "slotkeeper-orders",
            "orders_slot",
            "pekko://app@127.0.0.1:7355",
            StatusLevel.ACTIVE,
            "streaming from slot orders_slot \u2713",
            Instant.parse("2025-01-02T03:04:05.123456789Z"),
            Lsn.parse("16/B374D848"),
            Lsn.parse("FFFFFFFF/FFFFFFFF"),
            12345,
            10,
            3,
            1,
            2,
            "the consumer flow failed: boom");
    assertThat(roundTrip(status)).isEqualTo(status);
    ClusterSourceStatus empty =
        new ClusterSourceStatus(
            "s",
            "t",
            "n",
            StatusLevel.STARTING,
            "",
            Instant.EPOCH,
            Lsn.INVALID,
            Lsn.INVALID,
            0,
            0,
            0,
            0,
            0,
            "");
    assertThat(roundTrip(empty)).isEqualTo(empty);
  }

  private static ClusterSourceStatus status(
      StatusLevel level, SourceFailedException error, Waiting waiting) {
    return new ClusterSourceStatus(
        "slotkeeper-orders",
        "orders_slot",
        "pekko://app@127.0.0.1:7355",
        level,
        "reason",
        Instant.parse("2025-01-02T03:04:05.123456789Z"),
        Lsn.parse("16/B374D848"),
        Lsn.parse("16/B374D900"),
        184,
        10,
        3,
        1,
        2,
        "the replication source failed",
        Optional.ofNullable(error),
        Optional.ofNullable(waiting));
  }

  @Test
  void aFailureCrossesInFields() throws Exception {
    SourceFailedException invalidated =
        new SourceFailedException(
            FailureKind.SLOT_INVALIDATED,
            "replication slot \"orders_slot\" was invalidated \u2713",
            "drop and re-create it, then re-sync from 16/B374D848",
            Lsn.parse("16/B374D848"),
            new IllegalStateException("the cause stays on the hosting node"));
    ClusterSourceStatus failed = status(StatusLevel.FAILED, invalidated, null);
    ClusterSourceStatus back = (ClusterSourceStatus) roundTrip(failed);
    assertThat(back).isEqualTo(failed);
    SourceFailedException e = back.error().orElseThrow();
    assertThat(e.kind()).isEqualTo(FailureKind.SLOT_INVALIDATED);
    assertThat(e.problem()).isEqualTo(invalidated.problem());
    assertThat(e.remediation()).isEqualTo(invalidated.remediation());
    assertThat(e.slotConfirmedLsn()).contains(Lsn.parse("16/B374D848"));
    assertThat(e.getMessage()).isEqualTo(invalidated.getMessage());
    assertThat(back.waiting()).isEmpty();

    // No remediation and no LSN: both stay absent, not empty strings turned into something.
    SourceFailedException missing =
        new SourceFailedException(FailureKind.MISSING_OBJECT, "no publication", null, null, null);
    ClusterSourceStatus bare =
        (ClusterSourceStatus) roundTrip(status(StatusLevel.FAILED, missing, null));
    assertThat(bare.error().orElseThrow().kind()).isEqualTo(FailureKind.MISSING_OBJECT);
    assertThat(bare.error().orElseThrow().remediation()).isEmpty();
    assertThat(bare.error().orElseThrow().slotConfirmedLsn()).isEmpty();
    assertThat(bare.error().orElseThrow().getMessage()).isEqualTo("no publication");
  }

  @Test
  void everyKindOfWaitCrossesInFields() throws Exception {
    List<Waiting> waits =
        List.of(
            new Waiting.CreationBlocked(
                List.of(101, 202), new Waiting.HealOutcomes(5, 3, 1, 1), Duration.ofMillis(7250)),
            new Waiting.CreationBlocked(
                List.of(), new Waiting.HealOutcomes(0, 0, 0, 0), Duration.ZERO),
            new Waiting.SlotBusy(
                OptionalInt.of(4242), Optional.of("pg_recvlogical"), Duration.ofMillis(800)),
            new Waiting.SlotBusy(OptionalInt.empty(), Optional.empty(), Duration.ofNanos(1)),
            new Waiting.Reconnecting("Connection refused \u2713", Duration.ofSeconds(3)));
    for (Waiting w : waits) {
      ClusterSourceStatus starting = status(StatusLevel.STARTING, null, w);
      ClusterSourceStatus back = (ClusterSourceStatus) roundTrip(starting);
      assertThat(back).isEqualTo(starting);
      assertThat(back.waiting()).contains(w);
      assertThat(back.error()).isEmpty();
    }
    // A new kind of wait must be added to the serializer (and here).
    assertThat(waits.stream().map(Object::getClass).distinct())
        .containsExactlyInAnyOrder(Waiting.class.getPermittedSubclasses());
  }

  @Test
  void questionsKeepTheirReplyTo() throws Exception {
    TestProbe<ClusterSourceStatus> probe = kit.createTestProbe();
    assertThat(roundTrip(new SourceSingleton.GetStatus(probe.ref())))
        .isEqualTo(new SourceSingleton.GetStatus(probe.ref()));
    assertThat(roundTrip(new SourceSingleton.WaitFor(StatusLevel.READY, probe.ref())))
        .isEqualTo(new SourceSingleton.WaitFor(StatusLevel.READY, probe.ref()));
    // A sharded source's removal (inside Pekko's sharding envelope, whose payload is ours).
    assertThat(roundTrip(new SourceEntity.Stop(probe.ref())))
        .isEqualTo(new SourceEntity.Stop(probe.ref()));
  }

  @Test
  void garbageIsRefusedNotMisread() {
    Serialization serialization = SerializationExtension.get(kit.system());
    assertThatThrownBy(
            () ->
                serialization
                    .deserialize(new byte[] {9, 0, 0}, ClusterSourceSerializer.IDENTIFIER, "S")
                    .get())
        .isInstanceOf(NotSerializableException.class)
        .hasMessageContaining("version");
    assertThatThrownBy(
            () ->
                serialization
                    .deserialize(
                        new byte[] {2, 0, 0, 0, 99}, ClusterSourceSerializer.IDENTIFIER, "S")
                    .get())
        .isInstanceOf(NotSerializableException.class);
    assertThatThrownBy(
            () ->
                serialization
                    .deserialize(new byte[] {2}, ClusterSourceSerializer.IDENTIFIER, "X")
                    .get())
        .isInstanceOf(NotSerializableException.class);
  }

  @Test
  void lagIsZeroWhenUnknownOrBehind() {
    assertThat(ClusterSourceStatus.lag(Lsn.parse("0/200"), Lsn.parse("0/100"))).isEqualTo(0x100);
    assertThat(ClusterSourceStatus.lag(Lsn.parse("0/100"), Lsn.parse("0/200"))).isZero();
    assertThat(ClusterSourceStatus.lag(Lsn.INVALID, Lsn.parse("0/200"))).isZero();
  }
}
