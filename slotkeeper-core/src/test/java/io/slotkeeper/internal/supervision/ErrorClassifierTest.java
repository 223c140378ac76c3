package io.slotkeeper.internal.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class ErrorClassifierTest {
  private static Classification classify(Throwable t) {
    return ErrorClassifier.classify(t, "app", "appdb");
  }

  @Test
  void authenticationAndPrivilegeErrorsAreFatalAndNameTheFix() {
    var wrongPassword =
        classify(
            new SQLException("FATAL: password authentication failed for user \"app\"", "28P01"));
    assertThat(wrongPassword.errorClass()).isEqualTo(ErrorClass.FATAL);
    assertThat(wrongPassword.reason())
        .startsWith("password authentication failed")
        .contains("Fix:");

    var noReplication =
        classify(
            new SQLException(
                "FATAL: permission denied to start WAL sender\n  Detail: Only roles with the REPLICATION attribute",
                "42501"));
    assertThat(noReplication.errorClass()).isEqualTo(ErrorClass.FATAL);
    assertThat(noReplication.reason()).contains("ALTER ROLE app WITH REPLICATION");

    var noDatabase =
        classify(new SQLException("FATAL: database \"appdb\" does not exist", "3D000"));
    assertThat(noDatabase.errorClass()).isEqualTo(ErrorClass.FATAL);
  }

  @Test
  void slotInUseIsBusyAndNamesTheHolder() {
    var busy =
        classify(new SQLException("ERROR: replication slot \"s\" is active for PID 4242", "55006"));
    assertThat(busy.errorClass()).isEqualTo(ErrorClass.BUSY);
    assertThat(busy.reason()).contains("PID 4242");
  }

  @Test
  void aProtocolVersionTheServerLacksIsFatalAndNamesTheSupportedRange() {
    // PostgreSQL 14 and later word it so (13's "but we only support" is covered by
    // ProtocolVersionIT).
    var refused =
        classify(
            new SQLException(
                "ERROR: client sent proto_version=4 but server only supports protocol 3 or lower",
                "0A000"));
    assertThat(refused.errorClass()).isEqualTo(ErrorClass.FATAL);
    assertThat(refused.reason())
        .contains("proto-version = 3 or lower")
        .contains("1 to 3")
        .contains("PostgreSQL 16");
    // Other unsupported features are not taken for a version problem.
    assertThat(
            classify(new SQLException("ERROR: something else is not supported", "0A000")).reason())
        .doesNotContain("proto-version");
  }

  @Test
  void connectionLossIsTransient() {
    assertThat(
            classify(
                    new SQLException(
                        "terminating connection due to administrator command", "57P01"))
                .errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
    assertThat(classify(new SQLException("An I/O error occurred", "08006")).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
    assertThat(classify(new RuntimeException(new IOException("Connection reset"))).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
    assertThat(classify(new IllegalStateException("surprise")).errorClass())
        .isEqualTo(ErrorClass.TRANSIENT);
  }

  @Test
  void classifiedExceptionsKeepTheirClass() {
    var c =
        classify(
            new ClassifiedException(
                ErrorClass.FATAL, "wal_level is replica", "set it to logical", null));
    assertThat(c.errorClass()).isEqualTo(ErrorClass.FATAL);
    assertThat(c.reason()).isEqualTo("wal_level is replica. Fix: set it to logical");
  }

  @Test
  void problemRemediationAndKindStayApart() {
    var wrongPassword =
        classify(
            new SQLException("FATAL: password authentication failed for user \"app\"", "28P01"));
    assertThat(wrongPassword.problem())
        .isEqualTo("password authentication failed for user \"app\"");
    assertThat(wrongPassword.remediation()).startsWith("check the password for role \"app\"");
    assertThat(wrongPassword.kind()).isEqualTo(FailureKind.AUTHENTICATION);
    assertThat(wrongPassword.reason())
        .isEqualTo(wrongPassword.problem() + ". Fix: " + wrongPassword.remediation());

    assertThat(classify(new SQLException("FATAL: no pg_hba.conf entry", "28000")).kind())
        .isEqualTo(FailureKind.AUTHENTICATION);
    assertThat(
            classify(new SQLException("FATAL: permission denied to start WAL sender", "42501"))
                .kind())
        .isEqualTo(FailureKind.PRIVILEGE);
    assertThat(
            classify(new SQLException("FATAL: database \"appdb\" does not exist", "3D000")).kind())
        .isEqualTo(FailureKind.MISSING_OBJECT);
    assertThat(
            classify(new SQLException("ERROR: replication slot \"s\" does not exist", "42704"))
                .kind())
        .isEqualTo(FailureKind.MISSING_OBJECT);
    assertThat(
            classify(
                    new SQLException(
                        "ERROR: logical decoding requires wal_level >= logical", "55000"))
                .kind())
        .isEqualTo(FailureKind.WAL_LEVEL);
    assertThat(
            classify(
                    new SQLException(
                        "ERROR: client sent proto_version=4 but server only supports protocol 3 or lower",
                        "0A000"))
                .kind())
        .isEqualTo(FailureKind.PROTOCOL_VERSION);
    var transientError = classify(new SQLException("An I/O error occurred", "08006"));
    assertThat(transientError.remediation()).isEmpty();
    assertThat(transientError.reason()).isEqualTo("An I/O error occurred");
  }

  /** Issue 13: a logical source on a standby, where some fixes belong on the primary. */
  @Test
  void standbyPrerequisitesNameWhereTheFixGoes() {
    var primaryWalLevel =
        classify(
            new SQLException(
                "ERROR: logical decoding on standby requires \"wal_level\" >= \"logical\" on the"
                    + " primary",
                "55000"));
    assertThat(primaryWalLevel.errorClass()).isEqualTo(ErrorClass.FATAL);
    assertThat(primaryWalLevel.kind()).isEqualTo(FailureKind.WAL_LEVEL);
    assertThat(primaryWalLevel.remediation())
        .contains("on the primary")
        .contains("ALTER SYSTEM SET wal_level = logical")
        .contains("restart the primary");

    // Before 16 a standby cannot decode at all.
    var beforeSixteen =
        classify(
            new SQLException("ERROR: logical decoding cannot be used while in recovery", "0A000"));
    assertThat(beforeSixteen.errorClass()).isEqualTo(ErrorClass.FATAL);
    assertThat(beforeSixteen.kind()).isEqualTo(FailureKind.CONFIGURATION);
    assertThat(beforeSixteen.remediation()).contains("PostgreSQL 16").contains("primary");
  }

  @Test
  void aFatalClassificationBecomesTheFailureUsersReceive() {
    IllegalStateException cause = new IllegalStateException("x");
    SourceFailedException f =
        classify(new SQLException("FATAL: password authentication failed", "28P01"))
            .toFailure(cause);
    assertThat(f.kind()).isEqualTo(FailureKind.AUTHENTICATION);
    assertThat(f.problem()).isEqualTo("password authentication failed");
    assertThat(f.remediation()).contains("check the password");
    assertThat(f).hasMessage(f.problem() + ". Fix: " + f.remediation()).hasCause(cause);
    assertThat(f.slotConfirmedLsn()).isEmpty();
  }

  @Test
  void aBusySlotNamesItsHolderInAField() {
    var busy =
        classify(new SQLException("ERROR: replication slot \"s\" is active for PID 4242", "55006"));
    assertThat(busy.holder()).isEqualTo(new Classification.SlotHolder(4242, null));
    assertThat(busy.remediation()).isEmpty();
  }

  @Test
  void aClassifiedExceptionKeepsItsWholeClassification() {
    Classification given =
        new Classification(
            ErrorClass.FATAL, "wal_level is replica", "set it to logical", FailureKind.WAL_LEVEL);
    var c = classify(new RuntimeException(new ClassifiedException(given, null)));
    assertThat(c).isEqualTo(given);
  }
}
