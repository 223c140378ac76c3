/**
 * The {@code StatusMonitor}: a source's level derived from the conditions its actors report, the
 * reason and what the source waits for, and the waiters and listeners it completes. Internal, as
 * all of {@code io.slotkeeper.internal}: not for users, may change without notice.
 */
package io.slotkeeper.internal.status;
