package io.slotkeeper.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** ShardedSourcesSettings: defaults, copies, and every key's errors naming the key and the fix. */
class ShardedSourcesSettingsTest {
  private static final String PATH = ShardedSourcesSettings.CONFIG_PATH;
  private static final ClusterSourceSettings RUNS =
      ClusterSourceSettings.create(ConfigFactory.empty());

  private static ShardedSourcesSettings create(Config section) {
    return ShardedSourcesSettings.create(section, RUNS);
  }

  @Test
  void defaultsComeFromReferenceConf() {
    ShardedSourcesSettings s = create(ConfigFactory.empty());
    assertThat(s.entityTypeName()).isEqualTo("slotkeeper-source");
    assertThat(s.role()).isEmpty();
    assertThat(s.registryKey()).isEqualTo("slotkeeper-sources");
    assertThat(s.registryTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.statusTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.removeTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.runs()).isSameAs(RUNS);
  }

  @Test
  void withCopiesChangeOneValueAndLeaveTheOriginal() {
    ShardedSourcesSettings s = create(ConfigFactory.empty());
    ShardedSourcesSettings t =
        s.withEntityTypeName("tenants")
            .withRole("replicator")
            .withRegistry("tenant-sources", Duration.ofSeconds(2))
            .withStatusTimeout(Duration.ofSeconds(1))
            .withRemoveTimeout(Duration.ofSeconds(30));
    assertThat(t.entityTypeName()).isEqualTo("tenants");
    assertThat(t.role()).contains("replicator");
    assertThat(t.registryKey()).isEqualTo("tenant-sources");
    assertThat(t.registryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(t.statusTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(t.removeTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(t.withRole("").role()).isEmpty();
    assertThat(s.entityTypeName()).isEqualTo("slotkeeper-source");
    assertThat(t.toString()).contains("tenants", "replicator", "tenant-sources");
  }

  @Test
  void badValuesNameTheKeyAndTheFix() {
    assertThatThrownBy(() -> create(ConfigFactory.parseString("entity-type-name = \"a b\"")))
        .hasMessageContaining(PATH + ".entity-type-name")
        .hasMessageContaining("Fix:");
    assertThatThrownBy(() -> create(ConfigFactory.parseString("registry.timeout = 0s")))
        .hasMessageContaining(PATH + ".registry.timeout");
    assertThatThrownBy(() -> create(ConfigFactory.parseString("remove-timout = 5s")))
        .hasMessageContaining("did you mean " + PATH + ".remove-timeout");
  }

  @Test
  void everyKeyOfReferenceConfIsReadAndAWrongTypeNamesIt() {
    TreeSet<String> keys = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e :
        ConfigFactory.defaultReference().getConfig(PATH).entrySet()) {
      keys.add(e.getKey());
    }
    assertThat(keys)
        .containsExactly(
            "entity-type-name",
            "registry.key",
            "registry.timeout",
            "remove-timeout",
            "role",
            "status-timeout");
    for (String key : keys) {
      assertThatThrownBy(
              () ->
                  create(
                      ConfigFactory.empty()
                          .withValue(key, ConfigValueFactory.fromAnyRef(List.of(1, 2)))))
          .as(key)
          .hasMessageContaining(PATH + "." + key)
          .hasMessageContaining(". Fix: ")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void theSummaryCountsSourcesPerLevel() {
    ClusterSourceStatus active = status("a", StatusLevel.ACTIVE);
    ShardedSourcesStatus s =
        new ShardedSourcesStatus(
            List.of(active, status("b", StatusLevel.ACTIVE), status("c", StatusLevel.STARTING)),
            List.of("d"));
    assertThat(s.byLevel())
        .containsEntry(StatusLevel.ACTIVE, 2)
        .containsEntry(StatusLevel.STARTING, 1)
        .containsEntry(StatusLevel.FAILED, 0);
    assertThat(s.summary()).isEqualTo("4 sources: STARTING 1, ACTIVE 2, no answer 1");
    assertThat(new ShardedSourcesStatus(List.of(active), List.of()).summary())
        .isEqualTo("1 source: ACTIVE 1");
    assertThat(s.allAt(StatusLevel.ACTIVE)).isFalse();
    assertThat(new ShardedSourcesStatus(List.of(active), List.of()).allAt(StatusLevel.ACTIVE))
        .isTrue();
  }

  private static ClusterSourceStatus status(String id, StatusLevel level) {
    return new ClusterSourceStatus(
        id,
        id + "_slot",
        "pekko://n@127.0.0.1:1",
        level,
        "",
        Instant.EPOCH,
        io.slotkeeper.Lsn.INVALID,
        io.slotkeeper.Lsn.INVALID,
        0,
        0,
        0,
        0,
        0,
        "");
  }
}
