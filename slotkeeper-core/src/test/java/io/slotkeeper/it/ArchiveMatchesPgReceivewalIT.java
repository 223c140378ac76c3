package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import io.slotkeeper.postgres.ClientTools;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: where a {@code pg_receivewal} is installed (Debian's client packages put it in {@code
 * /usr/lib/postgresql/N/bin}; {@code SLOTKEEPER_PG_RECEIVEWAL} names another), the archive of a
 * range equals pg_receivewal's archive of the same range, segment for segment, byte for byte. Each
 * streams from a physical slot of its own created at the same moment. Skipped where none is
 * installed, or none new enough for the server (pg_receivewal refuses newer servers): the
 * comparison with the server's own pg_wal files ({@link ArchiveCoreScenarios}) runs everywhere.
 */
class ArchiveMatchesPgReceivewalIT extends ArchiveFixtures {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(15)
          .walSegmentSizeMb(1)
          .setting("wal_keep_size", "256MB")
          .build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }

  @Test
  void theArchiveEqualsPgReceivewalsArchiveOfTheSameRange() throws Exception {
    Optional<Path> peer = ClientTools.pgReceivewal(pg().version());
    Assumptions.assumeTrue(peer.isPresent(), "no pg_receivewal for PostgreSQL " + pg().version());
    pg().execute("SELECT pg_create_physical_replication_slot('peer_slot', true)");
    Path ours = temp.resolve("ours");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("ours_slot", ours).withCreateSlot(true));
    awaitLevel(control, StatusLevel.ACTIVE);
    Lsn target = Lsn.INVALID;
    for (int i = 0; i < 4; i++) {
      target = writeAndSwitch();
    }
    awaitFlushed(control, target);
    shutdown(control);

    Path theirs = temp.resolve("theirs");
    Files.createDirectories(theirs);
    Path log = temp.resolve("pg_receivewal.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                peer.get().toString(),
                "-D",
                theirs.toString(),
                "-S",
                "peer_slot",
                "-n",
                "--endpos=" + target,
                "-d",
                "host=" + pg().host() + " port=" + pg().port() + " user=" + pg().superuser())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("PGPASSWORD", pg().superuserPassword());
    Process p = pb.start();
    boolean ended = p.waitFor(2, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    assertThat(ended && p.exitValue() == 0)
        .as("pg_receivewal ran to --endpos: %s", Files.readString(log))
        .isTrue();

    List<String> common = new ArrayList<>(completeSegments(ours));
    common.retainAll(completeSegments(theirs));
    assertThat(common).as("segments both archived").hasSizeGreaterThanOrEqualTo(4);
    assertContiguous(common);
    for (String name : common) {
      assertThat(Files.readAllBytes(ours.resolve(name)))
          .as("%s equals pg_receivewal's", name)
          .isEqualTo(Files.readAllBytes(theirs.resolve(name)));
    }
  }
}
