package io.slotkeeper.bench;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The listener every end-to-end benchmark gives both contenders: counts row changes, optionally
 * records commit-to-delivery latencies, and completes {@link #reached} at the first commit after
 * {@link #target} changes have arrived. Written by the reader's consumer thread only.
 */
final class Counter implements Contender.Listener {
  final CompletableFuture<Long> reached = new CompletableFuture<>();
  private final long target;
  private final boolean recordLatency;
  private volatile long changes;
  // Latency samples (µs) of changes committed at or after this instant (Unix epoch µs).
  private volatile long latencyFromMicros = Long.MAX_VALUE;
  private long[] samples = new long[0];
  private int sampleCount;
  // Run on the reader's thread as the first change arrives (the catch-up bench samples CPU there).
  private volatile Runnable onFirstChange;

  Counter(long target, boolean recordLatency) {
    this.target = target;
    this.recordLatency = recordLatency;
    if (recordLatency) {
      samples = new long[1 << 16];
    }
  }

  @Override
  public void change(char kind, long commitMicros) {
    if (changes == 0 && onFirstChange != null) {
      onFirstChange.run();
    }
    // Single writer: a plain increment of the volatile is safe, and readers see a recent value.
    changes = changes + 1;
    if (recordLatency && commitMicros >= latencyFromMicros) {
      long now = SlotkeeperContender.micros(java.time.Instant.now());
      synchronized (this) {
        if (sampleCount == samples.length) {
          samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[sampleCount++] = now - commitMicros;
      }
    }
  }

  @Override
  public void commit() {
    if (changes >= target && !reached.isDone()) {
      reached.complete(System.nanoTime());
    }
  }

  /** {@code r} runs once, on the reader's thread, when the first change arrives. */
  void onFirstChange(Runnable r) {
    onFirstChange = r;
  }

  long changes() {
    return changes;
  }

  /** Record latencies of changes committed from now on. */
  void recordLatencyFrom(long epochMicros) {
    latencyFromMicros = epochMicros;
  }

  /** Stop recording: later samples would be taken while the writer winds down. */
  void stopRecording() {
    latencyFromMicros = Long.MAX_VALUE;
  }

  synchronized long[] latencySamples() {
    return Arrays.copyOf(samples, sampleCount);
  }
}
