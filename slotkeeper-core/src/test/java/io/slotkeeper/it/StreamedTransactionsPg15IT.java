package io.slotkeeper.it;

import io.slotkeeper.StreamSettings;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link StreamedTransactionScenarios} on PostgreSQL 15 with streaming = on. */
class StreamedTransactionsPg15IT extends StreamedTransactionScenarios {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().version(15).setting("logical_decoding_work_mem", "64kB").build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }

  @Override
  StreamSettings.Streaming mode() {
    return StreamSettings.Streaming.ON;
  }
}
