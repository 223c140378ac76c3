/**
 * The ordinary (non-replication) connection beside a source ({@code AdminActor}): it names and
 * heals what blocks a slot creation, checks WAL retention, writes heartbeats and drops the slot on
 * stop, on the blocking dispatcher. Internal, as all of {@code io.slotkeeper.internal}: not for
 * users, may change without notice.
 */
package io.slotkeeper.internal.admin;
