package io.slotkeeper.internal.physical;

import io.slotkeeper.Lsn;
import java.nio.ByteBuffer;
import java.util.List;

/** WAL bytes as one XLogData carried them: {@code data} starts at {@code start} on a timeline. */
record WalChunk(WalSegments segments, int timeline, Lsn start, ByteBuffer data) {
  /** What one read from the socket produced, handed to the writing stage as one element. */
  record Batch(List<WalChunk> chunks) {}
}
