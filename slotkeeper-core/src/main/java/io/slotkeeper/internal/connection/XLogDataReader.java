package io.slotkeeper.internal.connection;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.internal.wire.XLogDataFrame;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import io.slotkeeper.pgoutput.PgOutputMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * One XLogData frame of a logical stream, from its bytes to its envelope: the connection's read
 * loop runs this once per message the server sends, so it is where per-message waste shows (issue
 * 16).
 */
final class XLogDataReader {
  private final PgOutputDecoder decoder;
  private final EnvelopeAssembler assembler;
  private final Consumer<PgOutputMessage> inspect;
  private Lsn walStart = Lsn.INVALID;

  /**
   * @param inspect sees each decoded message before it is assembled, and may end the connection by
   *     throwing (the binary codec check); its exceptions pass unchanged
   */
  XLogDataReader(
      PgOutputDecoder decoder, EnvelopeAssembler assembler, Consumer<PgOutputMessage> inspect) {
    this.decoder = decoder;
    this.assembler = assembler;
    this.inspect = inspect;
  }

  /**
   * The envelope of the XLogData {@code frame} ({@link XLogDataFrame#is} said so), or null for a
   * message that makes none (see {@link EnvelopeAssembler#assemble}). Nothing of a message that
   * fails is delivered.
   *
   * @param lastReceived the position received before this frame, for the error's text
   */
  ChangeEnvelope read(byte[] frame, Lsn lastReceived) throws IOException {
    walStart = Lsn.of(XLogDataFrame.walStart(frame));
    ByteBuffer payload = XLogDataFrame.payload(frame);
    PgOutputMessage message;
    try {
      // The same buffer for both readers: neither moves its position.
      message = decoder.decode(payload);
    } catch (RuntimeException e) {
      throw InvalidStream.at(walStart, lastReceived, e);
    }
    inspect.accept(message);
    try {
      return assembler.assemble(message, payload, walStart, XLogDataFrame.sendTimeMicros(frame));
    } catch (RuntimeException e) {
      throw InvalidStream.at(walStart, lastReceived, e);
    }
  }

  /** The WAL start of the frame last {@linkplain #read read}. */
  Lsn walStart() {
    return walStart;
  }
}
