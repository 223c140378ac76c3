package io.slotkeeper.pgoutput;

/**
 * The bytes received are not a well-formed message. This is the only exception the decoders throw
 * for bad input, so a caller can treat it as "the stream is corrupt or the protocol options do not
 * match" without catching anything broader.
 *
 * <p>{@link #messageType()} is the message's type byte, or {@code '?'} when there was none (empty
 * input). {@link #offset()} is the byte position within the decoded payload where the problem was
 * found.
 */
public class PgOutputDecodeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final char messageType;
  private final int offset;

  public PgOutputDecodeException(String message, char messageType, int offset) {
    super(message);
    this.messageType = messageType;
    this.offset = offset;
  }

  public PgOutputDecodeException(String message, char messageType, int offset, Throwable cause) {
    super(message, cause);
    this.messageType = messageType;
    this.offset = offset;
  }

  public char messageType() {
    return messageType;
  }

  public int offset() {
    return offset;
  }
}
