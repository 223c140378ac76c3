/**
 * One replication connection: {@code ConnectionSetup} (checks and decisions before streaming, with
 * the pure {@code SlotPlan}) apart from {@code ConnectionActor} (the only owner of the socket:
 * reads against demand, keepalives, acknowledgements), the session over pgjdbc, and what they read
 * from the server ({@code ServerFacts}, {@code SlotInfo}, {@code ServerIdentity}). Internal, as all
 * of {@code io.slotkeeper.internal}: not for users, may change without notice.
 */
package io.slotkeeper.internal.connection;
