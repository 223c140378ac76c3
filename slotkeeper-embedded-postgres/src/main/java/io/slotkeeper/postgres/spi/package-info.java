/**
 * The seam between {@link io.slotkeeper.postgres.PostgresServer} and backends that live in other
 * modules: today the Docker (Testcontainers) backend of slotkeeper-testkit, registered as a {@link
 * io.slotkeeper.postgres.spi.DockerBackendProvider} service. Not an API for users.
 */
package io.slotkeeper.postgres.spi;
