/**
 * Test a flow built on Slotkeeper without a database: {@link
 * io.slotkeeper.flowtestkit.javadsl.EnvelopeBuilder} makes the envelopes a source would emit (with
 * consistent LSNs), {@link io.slotkeeper.flowtestkit.javadsl.OffsetRecorder} makes their offsets
 * and records what the flow acknowledged, and {@link
 * io.slotkeeper.flowtestkit.javadsl.ControlFactory} stands in for {@code ReplicationSource.create}
 * with a {@link io.slotkeeper.flowtestkit.javadsl.FakeControl}. Depends on slotkeeper-core only:
 * use it with any test framework. For tests against a real server, use slotkeeper-testkit.
 */
package io.slotkeeper.flowtestkit.javadsl;
