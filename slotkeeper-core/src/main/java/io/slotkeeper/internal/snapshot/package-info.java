/**
 * The initial snapshot: the published tables read inside the snapshot a new slot exported, on one
 * or more ordinary connections ({@code slot.snapshot-readers}), chunk by chunk as the stream asks
 * for rows. Driven by the {@code ConnectionActor} that created the slot (see docs/architecture.md).
 */
package io.slotkeeper.internal.snapshot;
