/**
 * Physical replication: the WAL archiver's connection, its start-position rules and the writer of
 * pg_receivewal-compatible segment files. Internal, as all of {@code io.slotkeeper.internal}: not
 * for users, may change without notice; the entry point is {@code
 * io.slotkeeper.javadsl.WalArchiver}.
 */
package io.slotkeeper.internal.physical;
