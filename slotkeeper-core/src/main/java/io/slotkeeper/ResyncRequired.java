package io.slotkeeper;

/**
 * Carried by a {@link ChangeEnvelope.Kind#RESYNC_REQUIRED} element: the source now streams from a
 * new slot, and changes between {@code lastConfirmedLsn} and {@code newSlotStart} were never
 * delivered. The consumer should re-read the published tables (a snapshot) to close the gap.
 *
 * @param slotName the slot that was re-created
 * @param lastConfirmedLsn the old slot's last confirmed position (nothing after it is known to be
 *     delivered)
 * @param newSlotStart where the new slot starts
 * @param reason why the old slot was replaced
 */
public record ResyncRequired(
    String slotName, Lsn lastConfirmedLsn, Lsn newSlotStart, String reason) {}
