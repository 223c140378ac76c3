/**
 * Real PostgreSQL servers from binaries shipped in this jar, for Slotkeeper's demo and tests, and
 * ways to make them fail for real. No JUnit and no Testcontainers: a program may carry this module
 * to run a server (the {@code slotkeeper demo} does); test-only parts live in slotkeeper-testkit.
 *
 * <ul>
 *   <li>{@link io.slotkeeper.postgres.PostgresServer}: a running server (embedded binaries for 13
 *       to 18, or a Docker container when slotkeeper-testkit is on the class path) with SQL helpers
 *       and faults: walsender termination, SMART/FAST/IMMEDIATE stops and restarts on the same port
 *       ({@link io.slotkeeper.postgres.StopMode}), held transactions ({@link
 *       io.slotkeeper.postgres.HeldTransaction}), roles, reloadable and restart-only settings; and
 *       streaming physical standbys ({@code startStandby()}, of a standby too), {@code promote()},
 *       {@code waitForReplay(lsn)}, built with the low-level backup API (no pg_basebackup ships).
 *   <li>{@link io.slotkeeper.postgres.PostgresServerException}: anything it could not do, with the
 *       reason (and the server's log when it did not start).
 * </ul>
 *
 * <p>System properties: {@code slotkeeper.pg.version} (default major version, 17), {@code
 * slotkeeper.pg.mode} ({@code auto}, {@code embedded}, {@code docker}), {@code
 * slotkeeper.pg.cache-dir} (where binaries are unpacked, default {@code
 * <java.io.tmpdir>/slotkeeper-pg-binaries}).
 */
package io.slotkeeper.postgres;
