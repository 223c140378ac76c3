package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.StreamSettings.Streaming;
import org.junit.jupiter.api.Test;

/** streaming = auto picks the best mode the server has, and the protocol version it needs. */
class ProtocolVersionsTest {
  private static StreamSettings stream(Streaming streaming) {
    return SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
        .withStreaming(streaming)
        .stream();
  }

  @Test
  void autoIsParallelOn16AndLaterOnOn14And15AndOffOn13() {
    StreamSettings auto = stream(Streaming.AUTO);
    assertThat(ProtocolVersions.streaming(auto, 13)).isEqualTo(Streaming.OFF);
    assertThat(ProtocolVersions.streaming(auto, 14)).isEqualTo(Streaming.ON);
    assertThat(ProtocolVersions.streaming(auto, 15)).isEqualTo(Streaming.ON);
    assertThat(ProtocolVersions.streaming(auto, 16)).isEqualTo(Streaming.PARALLEL);
    assertThat(ProtocolVersions.streaming(auto, 18)).isEqualTo(Streaming.PARALLEL);
    assertThat(ProtocolVersions.requested(auto, 13)).isEqualTo(1);
    assertThat(ProtocolVersions.requested(auto, 14)).isEqualTo(2);
    assertThat(ProtocolVersions.requested(auto, 15)).isEqualTo(2);
    assertThat(ProtocolVersions.requested(auto, 17)).isEqualTo(4);
  }

  @Test
  void anExplicitModeIsKeptWhateverTheServer() {
    for (Streaming m : new Streaming[] {Streaming.OFF, Streaming.ON, Streaming.PARALLEL}) {
      for (int major = 13; major <= 18; major++) {
        assertThat(ProtocolVersions.streaming(stream(m), major)).isEqualTo(m);
      }
    }
    assertThat(ProtocolVersions.requested(stream(Streaming.ON), 16)).isEqualTo(2);
  }
}
