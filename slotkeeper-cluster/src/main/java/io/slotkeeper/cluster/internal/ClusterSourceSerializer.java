package io.slotkeeper.cluster.internal;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.ClusterSourceStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Serializes what crosses nodes for a clustered source: status questions and their answers. A small
 * hand-written binary format (a version byte, then fixed fields) keeps this module free of Java
 * serialization, which Pekko disables by default, and of a JSON stack.
 *
 * <p>Bound in reference.conf to {@link SourceSingleton.RemoteCommand} and {@link
 * ClusterSourceStatus}.
 */
public final class ClusterSourceSerializer extends SerializerWithStringManifest {
  /** Unique among the serializers of an actor system; Pekko reserves 0 to 40. */
  public static final int IDENTIFIER = 537_917_400;

  private static final String STATUS = "S";
  private static final String GET_STATUS = "G";
  private static final String WAIT_FOR = "W";
  private static final byte VERSION = 1;

  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;

  public ClusterSourceSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  /** Looked up on first use: serializers are created while the actor system is still starting. */
  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof ClusterSourceStatus) {
      return STATUS;
    } else if (o instanceof SourceSingleton.GetStatus) {
      return GET_STATUS;
    } else if (o instanceof SourceSingleton.WaitFor) {
      return WAIT_FOR;
    }
    throw new IllegalArgumentException("cannot serialize " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      if (o instanceof ClusterSourceStatus s) {
        writeStatus(out, s);
      } else if (o instanceof SourceSingleton.GetStatus g) {
        writeString(out, resolver().toSerializationFormat(g.replyTo()));
      } else if (o instanceof SourceSingleton.WaitFor w) {
        writeString(out, w.level().name());
        writeString(out, resolver().toSerializationFormat(w.replyTo()));
      } else {
        throw new IllegalArgumentException("cannot serialize " + o.getClass().getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new NotSerializableException(
            "clustered-source message of unknown version "
                + version
                + " (nodes of different Slotkeeper versions in one cluster?)");
      }
      switch (manifest) {
        case STATUS:
          return readStatus(in);
        case GET_STATUS:
          return new SourceSingleton.GetStatus(replyTo(readString(in)));
        case WAIT_FOR:
          StatusLevel level = StatusLevel.valueOf(readString(in));
          return new SourceSingleton.WaitFor(level, replyTo(readString(in)));
        default:
          throw new NotSerializableException(
              "unknown clustered-source message manifest '" + manifest + "'");
      }
    } catch (IOException | IllegalArgumentException e) {
      NotSerializableException n =
          new NotSerializableException(
              "malformed clustered-source message (" + manifest + "): " + e.getMessage());
      n.initCause(e);
      throw n;
    }
  }

  private ActorRef<io.slotkeeper.cluster.ClusterSourceStatus> replyTo(String path) {
    return resolver().resolveActorRef(path);
  }

  private static void writeStatus(DataOutputStream out, ClusterSourceStatus s) throws IOException {
    writeString(out, s.singletonName());
    writeString(out, s.slotName());
    writeString(out, s.node());
    writeString(out, s.level().name());
    writeString(out, s.reason());
    out.writeLong(s.since().getEpochSecond());
    out.writeInt(s.since().getNano());
    out.writeLong(s.confirmedLsn().value());
    out.writeLong(s.receivedLsn().value());
    out.writeLong(s.lagBytes());
    out.writeLong(s.deliveredEnvelopes());
    out.writeLong(s.acknowledgedTransactions());
    out.writeLong(s.reconnects());
    out.writeLong(s.restarts());
    writeString(out, s.lastFailure());
  }

  private static ClusterSourceStatus readStatus(DataInputStream in) throws IOException {
    String singletonName = readString(in);
    String slotName = readString(in);
    String node = readString(in);
    StatusLevel level = StatusLevel.valueOf(readString(in));
    String reason = readString(in);
    Instant since = Instant.ofEpochSecond(in.readLong(), in.readInt());
    Lsn confirmed = Lsn.of(in.readLong());
    Lsn received = Lsn.of(in.readLong());
    long lag = in.readLong();
    long delivered = in.readLong();
    long acknowledged = in.readLong();
    long reconnects = in.readLong();
    long restarts = in.readLong();
    String lastFailure = readString(in);
    return new ClusterSourceStatus(
        singletonName,
        slotName,
        node,
        level,
        reason,
        since,
        confirmed,
        received,
        lag,
        delivered,
        acknowledged,
        reconnects,
        restarts,
        lastFailure);
  }

  // Length-prefixed UTF-8: unlike writeUTF, no 64 KiB limit on long failure reasons.
  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("string length " + n + " exceeds the message");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
