package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.ErrorClassifier;
import org.junit.jupiter.api.Test;

/** The errors the setup checks raise keep their structure through the classifier. */
class SetupChecksTest {
  private static Classification classify(Throwable t) {
    return ErrorClassifier.classify(t, "app", "appdb");
  }

  @Test
  void anInvalidatedSlotCarriesItsLastConfirmedPosition() {
    SourceSettings settings =
        SourceSettings.create(
            ConfigFactory.parseString(
                "url = \"jdbc:postgresql://127.0.0.1:1/db\", user = u, slot-name = s, publications = [p]"));
    SlotInfo slot =
        new SlotInfo(
            "s",
            "pgoutput",
            "logical",
            "db",
            null,
            Lsn.parse("0/16B3748"),
            Lsn.INVALID,
            "lost",
            "wal_removed");
    Classification c = classify(SetupChecks.invalidated(slot, settings, null));
    assertThat(c.errorClass()).isEqualTo(ErrorClass.FATAL);
    assertThat(c.kind()).isEqualTo(FailureKind.SLOT_INVALIDATED);
    SourceFailedException f = c.toFailure(null);
    assertThat(f.slotConfirmedLsn()).contains(Lsn.parse("0/16B3748"));
    assertThat(f.remediation()).contains("pg_drop_replication_slot");
  }
}
