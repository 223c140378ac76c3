/**
 * The engine: the actor tree of a source, its stream stage, the delivery ledger, status and error
 * handling. Not for users: nothing here is part of Slotkeeper's API, and any of it may change or
 * disappear in any release without notice. Classes are package-private wherever the engine allows;
 * those public only so that another Slotkeeper package can reach them are marked
 * {@link io.slotkeeper.InternalApi}. The public API is {@code io.slotkeeper},
 * {@code io.slotkeeper.javadsl} and {@code io.slotkeeper.pgoutput}, which never refer to this
 * package (the entry point {@code ReplicationSource.create} alone constructs its stage); a unit test,
 * {@code PublicApiBoundaryTest}, keeps it so.
 */
package io.slotkeeper.internal;
