/**
 * The root of one source's actor tree ({@code SourceActor}) and what outlives its connections: the
 * {@code DeliveryLedger} (what may be confirmed, what a replay repeats), the {@code
 * HeartbeatFilter}, the {@code StreamHistory} (does a new start continue what was delivered?),
 * acknowledgements and the offsets that carry them, and the {@code SourceState} its actors publish
 * for readers on other threads. Internal, as all of {@code io.slotkeeper.internal}: not for users,
 * may change without notice.
 */
package io.slotkeeper.internal.source;
