/**
 * Real PostgreSQL servers for Slotkeeper's tests and demo, and ways to make them fail for real.
 *
 * <ul>
 *   <li>{@link io.slotkeeper.testkit.PostgresServer}: a running server (embedded binaries for 13 to 18, or a
 *       Docker container) with SQL helpers and faults: walsender termination, SMART/FAST/IMMEDIATE stops and
 *       restarts on the same port, held transactions, roles, reloadable and restart-only settings.</li>
 *   <li>{@link io.slotkeeper.testkit.PostgresExtension}: one server per JUnit 5 test class, injectable as a
 *       parameter; {@link io.slotkeeper.testkit.PostgresVersion} picks the version per class.</li>
 *   <li>{@link io.slotkeeper.testkit.TcpProxy}: network faults between a client and the server (reset,
 *       blackhole, refuse, latency).</li>
 * </ul>
 *
 * <p>System properties: {@code slotkeeper.pg.version} (default major version, 17), {@code slotkeeper.pg.mode}
 * ({@code auto}, {@code embedded}, {@code docker}), {@code slotkeeper.pg.cache-dir} (where binaries are unpacked,
 * default {@code <java.io.tmpdir>/slotkeeper-pg-binaries}).
 */
package io.slotkeeper.testkit;
