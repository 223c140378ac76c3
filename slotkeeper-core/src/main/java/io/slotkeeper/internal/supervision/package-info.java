/**
 * Restarts and error classification: the {@code Restarter} keeps one connection alive and decides,
 * from the {@code Classification} the {@code ErrorClassifier} gives an error (transient, busy or
 * fatal, with its problem, fix and kind), whether to reconnect after a back-off or fail the source.
 * Internal, as all of {@code io.slotkeeper.internal}: not for users, may change without notice.
 */
package io.slotkeeper.internal.supervision;
