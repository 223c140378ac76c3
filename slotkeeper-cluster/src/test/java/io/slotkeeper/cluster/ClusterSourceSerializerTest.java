package io.slotkeeper.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.internal.ClusterSourceSerializer;
import io.slotkeeper.cluster.internal.SourceSingleton;
import java.io.NotSerializableException;
import java.time.Instant;
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

  @Test
  void questionsKeepTheirReplyTo() throws Exception {
    TestProbe<ClusterSourceStatus> probe = kit.createTestProbe();
    assertThat(roundTrip(new SourceSingleton.GetStatus(probe.ref())))
        .isEqualTo(new SourceSingleton.GetStatus(probe.ref()));
    assertThat(roundTrip(new SourceSingleton.WaitFor(StatusLevel.READY, probe.ref())))
        .isEqualTo(new SourceSingleton.WaitFor(StatusLevel.READY, probe.ref()));
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
                        new byte[] {1, 0, 0, 0, 99}, ClusterSourceSerializer.IDENTIFIER, "S")
                    .get())
        .isInstanceOf(NotSerializableException.class);
    assertThatThrownBy(
            () ->
                serialization
                    .deserialize(new byte[] {1}, ClusterSourceSerializer.IDENTIFIER, "X")
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
