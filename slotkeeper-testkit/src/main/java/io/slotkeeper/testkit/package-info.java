/**
 * Test-only helpers around {@link io.slotkeeper.postgres.PostgresServer} (module
 * slotkeeper-embedded-postgres): this module carries JUnit and Testcontainers, so nothing that a
 * program runs may depend on it.
 *
 * <ul>
 *   <li>{@link io.slotkeeper.testkit.PostgresExtension}: one server per JUnit 5 test class,
 *       injectable as a parameter; {@link io.slotkeeper.testkit.PostgresVersion} picks the version
 *       per class.
 *   <li>{@link io.slotkeeper.testkit.TestcontainersBackendProvider}: the Docker backend ({@code
 *       slotkeeper.pg.mode=docker}, or {@code auto} where the embedded binaries do not run),
 *       registered with PostgresServer through ServiceLoader.
 *   <li>{@link io.slotkeeper.testkit.TcpProxy}: network faults between a client and the server
 *       (reset, blackhole, refuse, latency).
 *   <li>{@link io.slotkeeper.testkit.WriteLoad}: a writer thread of small insert transactions that
 *       records the outcome of every commit.
 * </ul>
 */
package io.slotkeeper.testkit;
