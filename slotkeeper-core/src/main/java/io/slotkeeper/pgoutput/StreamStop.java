package io.slotkeeper.pgoutput;

/** Stream Stop ({@code 'E'}, protocol 2+): ends the current streamed block. Has no fields. */
public record StreamStop() implements PgOutputMessage {

  public static final char TAG = 'E';

  /** All Stream Stop messages are equal; the decoder returns this one instead of allocating. */
  public static final StreamStop INSTANCE = new StreamStop();

  @Override
  public char tag() {
    return TAG;
  }
}
