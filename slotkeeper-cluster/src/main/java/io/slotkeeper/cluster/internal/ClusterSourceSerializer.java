package io.slotkeeper.cluster.internal;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.cluster.ClusterSourceStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Serializes what crosses nodes for a clustered source: status questions and their answers. A small
 * hand-written binary format (a version byte, then fixed fields) keeps this module free of Java
 * serialization, which Pekko disables by default, and of a JSON stack. A status crosses whole: the
 * FAILED source's failure in fields (kind, problem, remediation, slot LSN; not its cause, which is
 * the hosting node's own object) and what a STARTING source waits for, so a user on any node can
 * act on them as on a local source's.
 *
 * <p>Bound in reference.conf to {@link SourceSingleton.RemoteCommand} (which a sharded source's
 * {@link SourceEntity.Stop} is too; the sharding envelope around them is Pekko's own) and {@link
 * ClusterSourceStatus}.
 */
public final class ClusterSourceSerializer extends SerializerWithStringManifest {
  /** Unique among the serializers of an actor system; Pekko reserves 0 to 40. */
  public static final int IDENTIFIER = 537_917_400;

  private static final String STATUS = "S";
  private static final String GET_STATUS = "G";
  private static final String WAIT_FOR = "W";
  private static final String STOP_SOURCE = "R";

  /** 2: the status carries the structured failure and what the source waits for. */
  private static final byte VERSION = 2;

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
    } else if (o instanceof SourceEntity.Stop) {
      return STOP_SOURCE;
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
      } else if (o instanceof SourceEntity.Stop x) {
        writeString(out, resolver().toSerializationFormat(x.replyTo()));
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
        case STOP_SOURCE:
          return new SourceEntity.Stop(replyTo(readString(in)));
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
    writeError(out, s.error());
    writeWaiting(out, s.waiting());
  }

  private static void writeError(DataOutputStream out, Optional<SourceFailedException> error)
      throws IOException {
    out.writeBoolean(error.isPresent());
    if (error.isPresent()) {
      SourceFailedException e = error.get();
      writeString(out, e.kind().name());
      writeString(out, e.problem());
      writeString(out, e.remediation());
      writeOptionalLong(out, e.slotConfirmedLsn().map(Lsn::value));
    }
  }

  private static Optional<SourceFailedException> readError(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return Optional.empty();
    }
    FailureKind kind = FailureKind.valueOf(readString(in));
    String problem = readString(in);
    String remediation = readString(in);
    Optional<Long> lsn = readOptionalLong(in);
    return Optional.of(
        new SourceFailedException(kind, problem, remediation, lsn.map(Lsn::of).orElse(null), null));
  }

  /** The kind's name (empty for none), then the case's fields. */
  private static void writeWaiting(DataOutputStream out, Optional<Waiting> waiting)
      throws IOException {
    writeString(out, waiting.map(w -> w.kind().name()).orElse(""));
    if (waiting.isEmpty()) {
      return;
    }
    Waiting w = waiting.get();
    if (w instanceof Waiting.CreationBlocked c) {
      out.writeInt(c.blockerPids().size());
      for (int pid : c.blockerPids()) {
        out.writeInt(pid);
      }
      out.writeLong(c.heal().attempts());
      out.writeLong(c.heal().succeeded());
      out.writeLong(c.heal().unavailable());
      out.writeLong(c.heal().failed());
      writeDuration(out, c.waited());
    } else if (w instanceof Waiting.SlotBusy b) {
      writeOptionalLong(
          out,
          b.holderPid().isPresent()
              ? Optional.of((long) b.holderPid().getAsInt())
              : Optional.empty());
      out.writeBoolean(b.applicationName().isPresent());
      if (b.applicationName().isPresent()) {
        writeString(out, b.applicationName().get());
      }
      writeDuration(out, b.nextRetry());
    } else if (w instanceof Waiting.Reconnecting r) {
      writeString(out, r.cause());
      writeDuration(out, r.nextRetry());
    } else {
      throw new IllegalArgumentException("cannot serialize a wait of kind " + w.kind());
    }
  }

  private static Optional<Waiting> readWaiting(DataInputStream in) throws IOException {
    String kind = readString(in);
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    switch (Waiting.Kind.valueOf(kind)) {
      case CREATION_BLOCKED:
        {
          int n = in.readInt();
          if (n < 0 || n > in.available() / 4) {
            throw new IOException("blocker count " + n + " exceeds the message");
          }
          List<Integer> pids = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            pids.add(in.readInt());
          }
          Waiting.HealOutcomes heal =
              new Waiting.HealOutcomes(in.readLong(), in.readLong(), in.readLong(), in.readLong());
          return Optional.of(new Waiting.CreationBlocked(pids, heal, readDuration(in)));
        }
      case SLOT_BUSY:
        {
          Optional<Long> pid = readOptionalLong(in);
          Optional<String> application =
              in.readBoolean() ? Optional.of(readString(in)) : Optional.empty();
          return Optional.of(
              new Waiting.SlotBusy(
                  pid.map(p -> OptionalInt.of(p.intValue())).orElse(OptionalInt.empty()),
                  application,
                  readDuration(in)));
        }
      case RECONNECTING:
        return Optional.of(new Waiting.Reconnecting(readString(in), readDuration(in)));
      default:
        throw new IOException("unknown wait kind " + kind);
    }
  }

  private static void writeDuration(DataOutputStream out, Duration d) throws IOException {
    out.writeLong(d.getSeconds());
    out.writeInt(d.getNano());
  }

  private static Duration readDuration(DataInputStream in) throws IOException {
    return Duration.ofSeconds(in.readLong(), in.readInt());
  }

  private static void writeOptionalLong(DataOutputStream out, Optional<Long> v) throws IOException {
    out.writeBoolean(v.isPresent());
    if (v.isPresent()) {
      out.writeLong(v.get());
    }
  }

  private static Optional<Long> readOptionalLong(DataInputStream in) throws IOException {
    return in.readBoolean() ? Optional.of(in.readLong()) : Optional.empty();
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
    Optional<SourceFailedException> error = readError(in);
    Optional<Waiting> waiting = readWaiting(in);
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
        lastFailure,
        error,
        waiting);
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
