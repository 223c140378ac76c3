package io.slotkeeper.internal.source;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.InternalApi;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.LogicalMessage;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

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
 */
@InternalApi
public final class HeartbeatFilter {

  /** How every heartbeat's content starts; the engine appends the slot name and the time. */
  static final String CONTENT_MARKER = "slotkeeper heartbeat v1 ";

  private static final byte[] MARKER_BYTES = CONTENT_MARKER.getBytes(StandardCharsets.UTF_8);

  private final String prefix;
  private ChangeEnvelope heldBegin;
  private ChangeEnvelope heldMessage;

  HeartbeatFilter(String prefix) {
    this.prefix = prefix;
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
      heldBegin = null;
      heldMessage = null;
      heartbeat.accept((Commit) env.message());
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
    if (!(env.message() instanceof LogicalMessage m)
        || !m.transactional()
        || !m.prefix().equals(prefix)) {
      return false;
    }
    byte[] content = m.content();
    if (content.length < MARKER_BYTES.length) {
      return false;
    }
    for (int i = 0; i < MARKER_BYTES.length; i++) {
      if (content[i] != MARKER_BYTES[i]) {
        return false;
      }
    }
    return true;
  }
}
