/**
 * The engine. Not for users: nothing under this package is part of Slotkeeper's API, and any of it
 * may change or disappear in any release without notice. Its sub-packages hold one job each:
 *
 * <ul>
 *   <li>{@code stage}: the Pekko Streams stage a user materializes, and its {@code Control};
 *   <li>{@code source}: the root actor of a source, its delivery ledger, heartbeat recognition,
 *       stream history and acknowledgements;
 *   <li>{@code connection}: one replication connection: its setup, the actor that owns the socket,
 *       the server facts it reads;
 *   <li>{@code admin}: the ordinary connection beside it: heal, retention, heartbeat writes;
 *   <li>{@code supervision}: restarts and the classification of errors;
 *   <li>{@code status}: the status monitor;
 *   <li>{@code wire}: the replication protocol's frames.
 * </ul>
 *
 * <p>Classes are package-private wherever the engine allows; those public only so that another
 * Slotkeeper package can reach them are marked {@link io.slotkeeper.InternalApi}. The public API is
 * {@code io.slotkeeper}, {@code io.slotkeeper.javadsl} and {@code io.slotkeeper.pgoutput}, which
 * never refer to the engine (the entry point {@code ReplicationSource.create} alone constructs its
 * stage); a unit test, {@code PublicApiBoundaryTest}, keeps it so.
 */
package io.slotkeeper.internal;
