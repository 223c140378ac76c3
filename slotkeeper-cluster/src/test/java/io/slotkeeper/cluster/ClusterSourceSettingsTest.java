package io.slotkeeper.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterSourceSettingsTest {

  @Test
  void defaultsComeFromReferenceConf() {
    ClusterSourceSettings s = ClusterSourceSettings.create(ConfigFactory.empty());
    assertThat(s.singletonName()).isEmpty();
    assertThat(s.singletonNameFor("orders_slot")).isEqualTo("slotkeeper-orders_slot");
    assertThat(s.role()).isEmpty();
    assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.restart().minBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.restart().maxBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.failedRetryInterval()).contains(Duration.ofSeconds(60));
    assertThat(s.statusTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void readsEveryKey() {
    ClusterSourceSettings s =
        ClusterSourceSettings.create(
            ConfigFactory.parseString(
                "singleton-name = orders, role = replicator, hand-over { drain-timeout = 2s, shutdown-timeout = 1s },"
                    + " restart { min-backoff = 100ms, max-backoff = 1s, random-factor = 0, reset-after = 5s },"
                    + " failed-retry-interval = off, status-timeout = 1s"));
    assertThat(s.singletonNameFor("orders_slot")).isEqualTo("orders");
    assertThat(s.role()).contains("replicator");
    assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.restart().minBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.restart().randomFactor()).isZero();
    assertThat(s.restart().resetAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.failedRetryInterval()).isEmpty();
    assertThat(s.statusTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void withCopiesChangeOneThing() {
    ClusterSourceSettings base = ClusterSourceSettings.create(ConfigFactory.empty());
    ClusterSourceSettings s =
        base.withRole("r").withSingletonName("x").withFailedRetryInterval(null);
    assertThat(s.role()).contains("r");
    assertThat(s.singletonName()).isEqualTo("x");
    assertThat(s.failedRetryInterval()).isEmpty();
    assertThat(base.role()).isEmpty();
    assertThat(s.withRole("").role()).isEmpty();
  }

  @Test
  void changedCopiesAreCheckedByTheSameValidate() {
    ClusterSourceSettings bad =
        ClusterSourceSettings.create(ConfigFactory.empty())
            .withRestartBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1), 0.2);
    assertThatThrownBy(bad::validate)
        .hasMessage(
            "slotkeeper.cluster.restart.max-backoff (PT1S) must be at least min-backoff (PT5S)."
                + " Fix: raise max-backoff or lower min-backoff");
    assertThatThrownBy(
            () ->
                ClusterSourceSettings.create(ConfigFactory.empty())
                    .withStatusTimeout(Duration.ZERO)
                    .validate())
        .hasMessageContaining("slotkeeper.cluster.status-timeout");
  }

  @Test
  void toStringNamesEveryValue() {
    String text = ClusterSourceSettings.create(ConfigFactory.empty()).withRole("r").toString();
    assertThat(text)
        .contains(
            "singletonName=<from slot>",
            "role=r",
            "drainTimeout=PT5S",
            "shutdownTimeout=PT3S",
            "minBackoff=PT1S",
            "maxBackoff=PT30S",
            "randomFactor=0.2",
            "resetAfter=PT1M",
            "failedRetryInterval=PT1M",
            "statusTimeout=PT5S");
  }

  @Test
  void badValuesNameTheKeyAndTheFix() {
    assertThatThrownBy(
            () ->
                ClusterSourceSettings.create(ConfigFactory.parseString("singleton-name = \"a b\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slotkeeper.cluster.singleton-name")
        .hasMessageContaining("Fix:");
    assertThatThrownBy(
            () ->
                ClusterSourceSettings.create(
                    ConfigFactory.parseString("restart { min-backoff = 5s, max-backoff = 1s }")))
        .hasMessageContaining("slotkeeper.cluster.restart");
    assertThatThrownBy(
            () ->
                ClusterSourceSettings.create(ConfigFactory.parseString("status-timeout = banana")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("status-timeout");
  }
}
