package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StreamSettings;

/**
 * Which pgoutput protocol versions a server speaks, and the words for asking for one it does not.
 * The server refuses a newer version at START_REPLICATION with SQLSTATE 0A000, which would
 * otherwise look like any other refusal; a version is a setting, so the answer is always the same
 * and reconnecting never helps.
 */
@InternalApi
public final class ProtocolVersions {
  private ProtocolVersions() {}

  /** The highest {@code proto_version} pgoutput accepts on a server of this major version. */
  static int highestSupported(int majorVersion) {
    if (majorVersion >= 16) {
      return 4; // streaming = parallel
    } else if (majorVersion == 15) {
      return 3; // two-phase
    } else if (majorVersion == 14) {
      return 2; // streaming of in-progress transactions
    }
    return 1;
  }

  /**
   * The streaming mode a connection to a server of {@code majorVersion} uses: the configured one,
   * or for {@code auto} the best the server has (parallel on 16+, on on 14 and 15, off on 13).
   */
  static StreamSettings.Streaming streaming(StreamSettings stream, int majorVersion) {
    if (stream.streaming() != StreamSettings.Streaming.AUTO) {
      return stream.streaming();
    }
    if (majorVersion >= 16) {
      return StreamSettings.Streaming.PARALLEL;
    }
    return majorVersion >= 14 ? StreamSettings.Streaming.ON : StreamSettings.Streaming.OFF;
  }

  /**
   * The protocol version asked for at START_REPLICATION on a server of {@code majorVersion}: the
   * configured one, raised to what the streaming mode used there needs.
   */
  static int requested(StreamSettings stream, int majorVersion) {
    return Math.max(stream.protoVersion(), needed(streaming(stream, majorVersion)));
  }

  /** As {@link #requested(StreamSettings, int)}, raised to 3 for two-phase decoding. */
  static int requested(StreamSettings stream, int majorVersion, boolean twoPhase) {
    return Math.max(requested(stream, majorVersion), twoPhase ? TWO_PHASE : 1);
  }

  /** The protocol version pgoutput's {@code two_phase} option needs (PostgreSQL 15). */
  static final int TWO_PHASE = 3;

  /** The protocol version a streaming mode needs. */
  static int needed(StreamSettings.Streaming streaming) {
    return switch (streaming) {
      case OFF, AUTO -> 1;
      case ON -> 2;
      case PARALLEL -> 4;
    };
  }

  /** The first major version whose pgoutput accepts {@code version}. */
  static int firstServerFor(int version) {
    return switch (version) {
      case 2 -> 14;
      case 3 -> 15;
      case 4 -> 16;
      default -> 10;
    };
  }

  /** The fix for asking a server that speaks at most {@code highest}. */
  public static String fix(int requested, int highest) {
    return "set "
        + SourceSettings.CONFIG_PATH
        + ".proto-version = "
        + highest
        + (highest > 1 ? " or lower" : "")
        + " (this server supports "
        + (highest > 1 ? "1 to " + highest : "only 1")
        + "), or upgrade the server to"
        + " PostgreSQL "
        + firstServerFor(requested)
        + " or later for protocol version "
        + requested;
  }
}
