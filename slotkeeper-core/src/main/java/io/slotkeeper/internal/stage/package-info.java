/**
 * The stream stage a user materializes ({@code ReplicationSourceStage}) and the {@code Control} it
 * hands out ({@code ControlImpl}): where demand enters the engine and elements leave it. The stage
 * talks to its source only through messages and a {@code StageHandle}. Internal, as all of {@code
 * io.slotkeeper.internal}: not for users, may change without notice.
 */
package io.slotkeeper.internal.stage;
