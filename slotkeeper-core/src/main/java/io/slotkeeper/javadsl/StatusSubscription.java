package io.slotkeeper.javadsl;

/**
 * A listener registered with {@link Control#subscribe}. Closing it stops the calls; it may be
 * closed any number of times, before or after the source started or ended, and never throws, so it
 * fits a try-with-resources block without a {@code catch}.
 */
@FunctionalInterface
public interface StatusSubscription extends AutoCloseable {

  /** Stops calling the listener (a call already under way may still finish). Throws nothing. */
  @Override
  void close();
}
