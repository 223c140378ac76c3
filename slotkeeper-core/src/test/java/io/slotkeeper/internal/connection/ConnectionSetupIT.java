package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.source.StreamHistory;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/**
 * {@link ConnectionSetup} driven alone against a real server, without the actor that runs it in
 * production: the checks and decisions of a connect are testable apart from the message loop.
 */
class ConnectionSetupIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static SourceSettings settings(PostgresServer pg, String slot, String publication) {
    return SourceSettings.create(ConfigFactory.empty())
        .withUrl(pg.jdbcUrl())
        .withUser(pg.superuser())
        .withPassword(pg.superuserPassword())
        .withSlotName(slot)
        .withPublications(publication)
        .withConnectTimeout(Duration.ofSeconds(10));
  }

  @Test
  void aMissingPublicationIsCreatedWhenConfiguredAndAMissingSlotIsPlannedForCreation()
      throws Exception {
    PostgresServer pg = PG.server();
    SourceSettings settings =
        settings(pg, "cs_create", "cs_pub")
            .withCreatePublicationIfMissing(true, List.of())
            .withCreateSlotIfMissing(true);
    OwnWalsenders own = new OwnWalsenders();
    try (ReplicationSession session = ReplicationSession.open(settings)) {
      ConnectionSetup.Prepared prepared =
          new ConnectionSetup(settings, session, own, new StreamHistory()).prepare();

      assertThat(pg.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'cs_pub'"))
          .isEqualTo(1);
      assertThat(prepared.slot()).isNull();
      assertThat(prepared.plan()).isEqualTo(new SlotPlan.Create());
      // Recorded before anything can fail, so a later connection can tell an orphan of ours.
      assertThat(own.contains(prepared.walsender())).isTrue();
      assertThat(prepared.walsender().pid()).isEqualTo(prepared.facts().backendPid());
    }
  }

  @Test
  void aSlotHeldByAnotherConsumerIsStreamedOnlyAfterVerificationWhichNamesTheHolder()
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE PUBLICATION cs_busy_pub FOR ALL TABLES");
    pg.execute("SELECT pg_create_logical_replication_slot('cs_busy', 'pgoutput')");
    SourceSettings settings = settings(pg, "cs_busy", "cs_busy_pub");
    try (Connection other = pg.connectReplication();
        PGReplicationStream holder =
            other
                .unwrap(PGConnection.class)
                .getReplicationAPI()
                .replicationStream()
                .logical()
                .withSlotName("cs_busy")
                .withSlotOption("proto_version", 1)
                .withSlotOption("publication_names", "cs_busy_pub")
                .start();
        ReplicationSession session = ReplicationSession.open(settings)) {
      int holderPid =
          (int)
              pg.queryLong(
                  "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'cs_busy'");
      ConnectionSetup setup =
          new ConnectionSetup(settings, session, new OwnWalsenders(), new StreamHistory());
      ConnectionSetup.Prepared prepared = setup.prepare();

      // Not one of our own walsenders: left alone, and the slot plan streams it after verification.
      assertThat(prepared.plan()).isEqualTo(new SlotPlan.Stream(prepared.slot()));
      assertThat(prepared.slot().activePid()).isEqualTo(holderPid);
      assertThatThrownBy(() -> setup.verify(prepared.slot(), prepared.facts(), prepared.server()))
          .isInstanceOfSatisfying(
              ClassifiedException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.BUSY))
          .hasMessageContaining("replication slot \"cs_busy\" is active for PID " + holderPid);
      assertThat(pg.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + holderPid))
          .isEqualTo(1);
    }
  }
}
