package io.slotkeeper.pgoutput;

/**
 * One decoded pgoutput message: the logical-decoding payload of a single XLogData frame.
 *
 * <p>All implementations are immutable. {@link #tag()} is the protocol's message-type byte; the
 * records also expose it as a {@code TAG} constant for use in {@code switch} statements.
 */
public sealed interface PgOutputMessage
    permits Begin,
        Commit,
        Origin,
        Relation,
        TypeInfo,
        Insert,
        Update,
        Delete,
        Truncate,
        LogicalMessage,
        StreamStart,
        StreamStop,
        StreamCommit,
        StreamAbort,
        BeginPrepare,
        Prepare,
        CommitPrepared,
        RollbackPrepared,
        StreamPrepare {

  /** The message-type byte that introduces this message on the wire, e.g. {@code 'B'}. */
  char tag();
}
