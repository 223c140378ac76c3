package io.slotkeeper.bench;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The listener every end-to-end benchmark gives both contenders: counts row changes, optionally
 * records commit-to-delivery latencies, and completes {@link #reached} at the first commit after
 * {@link #target} changes have arrived. Written by the reader's consumer thread only.
 */
final class Counter implements ServerSendProbe.SendListener {
  final CompletableFuture<Long> reached = new CompletableFuture<>();
  private final long target;
  private final boolean recordLatency;
  private volatile long changes;
  // Latency samples (µs) of changes committed at or after this instant (Unix epoch µs).
  private volatile long latencyFromMicros = Long.MAX_VALUE;
  private long[] samples = new long[0];
  private int sampleCount;
  // Commit to the server's send (µs), from the server-send probe only.
  private long[] serverSamples = new long[0];
  private int serverCount;
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
    count();
    if (recordLatency && commitMicros >= latencyFromMicros) {
      record(SlotkeeperContender.micros(java.time.Instant.now()) - commitMicros);
    }
  }

  /**
   * The server-send probe's change: recorded as its latency to arrival, like every reader's, and
   * its latency to the server's send apart ({@link #serverSamples}).
   */
  @Override
  public void sent(char kind, long commitMicros, long sentMicros) {
    change(kind, commitMicros);
    if (recordLatency && commitMicros >= latencyFromMicros) {
      synchronized (this) {
        if (serverCount == serverSamples.length) {
          serverSamples = Arrays.copyOf(serverSamples, Math.max(1 << 16, serverCount * 2));
        }
        serverSamples[serverCount++] = sentMicros - commitMicros;
      }
    }
  }

  private void count() {
    if (changes == 0 && onFirstChange != null) {
      onFirstChange.run();
    }
    // Single writer: a plain increment of the volatile is safe, and readers see a recent value.
    changes = changes + 1;
  }

  private synchronized void record(long micros) {
    if (sampleCount == samples.length) {
      samples = Arrays.copyOf(samples, samples.length * 2);
    }
    samples[sampleCount++] = micros;
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

  /** Commit to the server's send of each recorded change; empty unless the reader was the probe. */
  synchronized long[] serverSamples() {
    return Arrays.copyOf(serverSamples, serverCount);
  }
}
