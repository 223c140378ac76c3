package io.slotkeeper.cli;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.CommittableOffset;
import io.slotkeeper.cluster.SourceFlowFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * What {@code slotkeeper cluster} does with each source's changes: the same JSON Lines as {@code
 * slotkeeper stream} ({@link ChangeJson}), each with a {@code source} field first, to stdout or to
 * {@code DIR/ID.jsonl} per source (appended, fsync'ed). A transaction's offset leaves the flow, and
 * so is acknowledged, only once all its lines are written and flushed.
 *
 * <p>One writer thread serves every source on this node: lines of different sources never
 * interleave within a line on stdout, and a blocked pipe or disk holds back every source alike
 * (through back-pressure, as in {@code stream}).
 */
final class ClusterOutput implements SourceFlowFactory, AutoCloseable {
  private final OutputTarget stdout;
  private final Path dir;
  private final boolean withTx;
  // Per-source files, opened on first use; touched by the writer thread only.
  private final Map<String, OutputTarget> files = new HashMap<>();
  private final ExecutorService writer = LineWriting.writerThread("slotkeeper-cluster-writer");

  /**
   * @param dir per-source files in this directory; null for {@code stdout}
   */
  ClusterOutput(OutputTarget stdout, Path dir, boolean withTx) {
    this.stdout = stdout;
    this.dir = dir;
    this.withTx = withTx;
  }

  @Override
  public Flow<ChangeEnvelope, CommittableOffset, ?> create(ActorSystem<?> system, String sourceId) {
    return LineWriting.inBatches(writer, batch -> write(sourceId, batch))
        .mapConcat(offsets -> offsets);
  }

  /** Writes and flushes one batch; returns the offsets of the units it completed, in order. */
  private List<CommittableOffset> write(String sourceId, List<ChangeEnvelope> batch) {
    LineBytes sb = new LineBytes(4096);
    LineBytes field = sourceField(sourceId);
    List<CommittableOffset> units = new ArrayList<>();
    for (ChangeEnvelope e : batch) {
      append(sb, field, e, withTx);
      if (e.committableOffset().isUnitEnd()) {
        units.add(e.committableOffset());
      }
    }
    if (sb.length() > 0) {
      // A failure fails this run of the source; it starts again after a back-off and streams from
      // its last acknowledged transaction.
      LineWriting.writeAndFlush(target(sourceId), sb);
    }
    return units;
  }

  /** {@code "source":ID,}: the first field of every line of the source, made once per batch. */
  static LineBytes sourceField(String sourceId) {
    LineBytes field = new LineBytes(sourceId.length() + 16).append("\"source\":");
    return field.jsonString(sourceId).append(',');
  }

  /**
   * {@code stream}'s line for {@code e}, with {@code field} (the {@link #sourceField}) first: the
   * line is written as {@code stream} writes it and the field inserted after its brace, which moves
   * the line's bytes once but keeps {@link ChangeJson} one writer for both commands.
   */
  static boolean append(LineBytes sb, LineBytes field, ChangeEnvelope e, boolean withTx) {
    int start = sb.length();
    if (!ChangeJson.append(sb, e, withTx)) {
      return false;
    }
    sb.insert(start + 1, field);
    return true;
  }

  private OutputTarget target(String sourceId) {
    if (dir == null) {
      return stdout;
    }
    OutputTarget t = files.get(sourceId);
    if (t == null) {
      Path file = dir.resolve(sourceId + ".jsonl");
      try {
        t = OutputTarget.file(file);
      } catch (IOException ex) {
        throw new StreamPipeline.OutputFailed(file.toString(), ex);
      }
      files.put(sourceId, t);
    }
    return t;
  }

  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (OutputTarget t : files.values()) {
      try {
        t.close();
      } catch (IOException ignored) {
        // on the way out
      }
    }
  }
}
