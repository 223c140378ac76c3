package io.slotkeeper.internal.source;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.InternalApi;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.LogicalMessage;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * Recognises the heartbeat transactions the engine writes itself, so they can be acknowledged
 * internally instead of delivered. Pure and per connection.
 *
 * <p>A heartbeat is recognised only when the whole transaction is exactly what the engine writes: a
 * Begin, one transactional message with the heartbeat prefix whose content starts with {@link
 * #CONTENT_MARKER}, and the Commit. Anything else in the transaction (a row, a second message)
 * makes it a user transaction, delivered whole, Begin to Commit. To tell, the Begin and the message
 * are held back until the next envelope arrives; nothing held has reached the ledger, so when a
 * connection dies while something is held, {@link #reset()} simply forgets it and the server sends
 * it again. Heartbeats written by any Slotkeeper source on the database are recognised (all of them
 * share the marker), so sources side by side never see each other's.
 *
 * <p>The online backfill's watermarks ({@link BackfillWatermark}) are transactions of the same
 * shape, told apart by their own prefix and marker; they are recognised even when heartbeats are
 * delivered ({@code heartbeat.deliver}), as no consumer may ever see one.
 */
@InternalApi
public final class HeartbeatFilter {

  /** How every heartbeat's content starts; the engine appends the slot name and the time. */
  static final String CONTENT_MARKER = "slotkeeper heartbeat v1 ";

  private static final byte[] MARKER_BYTES = CONTENT_MARKER.getBytes(StandardCharsets.UTF_8);

  private final String prefix;

  /** False with {@code heartbeat.deliver}: only watermarks are the engine's own then. */
  private final boolean heartbeats;

  private ChangeEnvelope heldBegin;
  private ChangeEnvelope heldMessage;

  /**
   * Transactions the engine knows as its own by xid (a backfill watermark's): on PostgreSQL 13,
   * whose pgoutput sends no logical messages, a watermark arrives as an empty Begin/Commit.
   */
  private LongPredicate ownXid = xid -> false;

  /** The engine's own transaction: its xid, its one message (null when none came), its Commit. */
  interface Own {
    void accept(long xid, LogicalMessage message, Commit commit);
  }

  void ownXids(LongPredicate ownXid) {
    this.ownXid = ownXid;
  }

  HeartbeatFilter(String prefix) {
    this(prefix, true);
  }

  HeartbeatFilter(String prefix, boolean heartbeats) {
    this.prefix = prefix;
    this.heartbeats = heartbeats;
  }

  /** The content a source on {@code slot} writes, up to the time the database appends. */
  public static String contentFor(String slot) {
    return CONTENT_MARKER + "slot=" + slot + " at=";
  }

  /**
   * Takes the next envelope of the stream. Envelopes that belong downstream go to {@code pass} in
   * stream order (possibly later, together with held ones); a complete heartbeat transaction goes
   * to {@code heartbeat} as its Commit.
   */
  void offer(ChangeEnvelope env, Consumer<ChangeEnvelope> pass, Consumer<Commit> heartbeat) {
    offerOwn(env, pass, (xid, message, commit) -> heartbeat.accept(commit));
  }

  /**
   * As {@link #offer(ChangeEnvelope, Consumer, Consumer)}, handing {@code own} the engine's own
   * transaction as its one message (a heartbeat or a backfill watermark) and its Commit.
   */
  void offerOwn(ChangeEnvelope env, Consumer<ChangeEnvelope> pass, Own own) {
    if (heldBegin == null) {
      if (env.kind() == Kind.BEGIN) {
        heldBegin = env;
      } else {
        pass.accept(env);
      }
      return;
    }
    if (heldMessage == null && isHeartbeatMessage(env)) {
      heldMessage = env;
      return;
    }
    if (heldMessage != null && env.kind() == Kind.COMMIT) {
      LogicalMessage message = (LogicalMessage) heldMessage.message();
      long xid = heldBegin.xid();
      heldBegin = null;
      heldMessage = null;
      own.accept(xid, message, (Commit) env.message());
      return;
    }
    if (heldMessage == null && env.kind() == Kind.COMMIT && ownXid.test(heldBegin.xid())) {
      long xid = heldBegin.xid();
      heldBegin = null;
      own.accept(xid, null, (Commit) env.message());
      return;
    }
    ChangeEnvelope begin = heldBegin;
    ChangeEnvelope message = heldMessage;
    heldBegin = null;
    heldMessage = null;
    pass.accept(begin);
    if (message != null) {
      pass.accept(message);
    }
    pass.accept(env);
  }

  /** True while a Begin (and maybe a heartbeat-like message) waits for what follows. */
  boolean holding() {
    return heldBegin != null;
  }

  /** The connection ended: what was held will be sent again by the server. */
  void reset() {
    heldBegin = null;
    heldMessage = null;
  }

  private boolean isHeartbeatMessage(ChangeEnvelope env) {
    if (!(env.message() instanceof LogicalMessage m) || !m.transactional()) {
      return false;
    }
    if (m.prefix().equals(BackfillWatermark.PREFIX)) {
      return startsWith(m.content(), BackfillWatermark.MARKER_BYTES);
    }
    return heartbeats && m.prefix().equals(prefix) && startsWith(m.content(), MARKER_BYTES);
  }

  private static boolean startsWith(byte[] content, byte[] marker) {
    if (content.length < marker.length) {
      return false;
    }
    for (int i = 0; i < marker.length; i++) {
      if (content[i] != marker[i]) {
        return false;
      }
    }
    return true;
  }
}
