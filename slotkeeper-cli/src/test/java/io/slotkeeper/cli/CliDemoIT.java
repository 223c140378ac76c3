package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The demo as CI runs it: short mode, real faults, and it must count zero lost and zero duplicated
 * rows.
 */
class CliDemoIT {

  @Test
  void shortDemoLosesNothing() {
    CliRun r = CliRun.run("demo", "--short");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.out)
        .contains("PASS: every committed row arrived exactly once")
        .containsPattern("\\n  lost\\s+0\\n")
        .containsPattern("\\n  duplicated\\s+0\\n")
        .contains("terminated PID")
        .contains("output paused")
        .contains("server back after")
        .containsPattern("waiting for running transactions to end: PID \\d+")
        .containsPattern("heal attempts so far: [1-9]")
        .contains("the second source is ACTIVE, without a restart")
        .containsPattern("snapshot done: 1/1 tables, [0-9.kM]+ rows")
        .contains("streaming from the slot's consistent point")
        .containsPattern("[1-9][0-9.kM]* snapshot rows, then [1-9][0-9.kM]* changes")
        .contains("0 missing, 0 extra, 0 different, 0 rows both copied and inserted")
        .containsPattern("\\n  snapshot replica\\s+equals the table\\n");
    assertThat(r.err).isEmpty();
  }
}
