package io.slotkeeper.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every key of slotkeeper.cluster, enumerated from reference.conf: a wrong type, an out-of-range
 * value and a misspelt name each give one line naming the key and the fix.
 */
class ClusterSettingsKeysTest {
  private static final String PATH = ClusterSourceSettings.CONFIG_PATH;

  private static Config reference() {
    return ConfigFactory.defaultReference().getConfig(PATH);
  }

  private static TreeSet<String> keys() {
    TreeSet<String> keys = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : reference().entrySet()) {
      keys.add(e.getKey());
    }
    assertThat(keys).contains("hand-over.drain-timeout", "restart.reset-after", "status-timeout");
    return keys;
  }

  private static String errorOf(Config section) {
    try {
      ClusterSourceSettings.create(section);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }

  private static void assertOneLineNaming(String key, String message) {
    assertThat(message).as(key).isNotNull();
    assertThat(message).as(key).contains(PATH + "." + key).contains(". Fix: ").doesNotContain("\n");
  }

  @Test
  void aWrongTypeForAnyKeyNamesThatKeyAndTheFix() {
    for (String key : keys()) {
      assertOneLineNaming(
          key,
          errorOf(
              ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(List.of(1, 2)))));
    }
  }

  @Test
  void aNegativeNumberOrDurationNamesThatKey() {
    int checked = 0;
    for (String key : keys()) {
      ConfigValue ref = reference().getValue(key);
      if (ref.valueType() != ConfigValueType.NUMBER && ref.valueType() != ConfigValueType.STRING) {
        continue;
      }
      String negative;
      if (ref.valueType() == ConfigValueType.NUMBER) {
        negative = "-1";
      } else if (key.endsWith("timeout")
          || key.endsWith("interval")
          || key.contains("backoff")
          || key.endsWith("after")) {
        negative = "-1s";
      } else {
        continue;
      }
      assertOneLineNaming(
          key,
          errorOf(ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(negative))));
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(8);
  }

  @Test
  void anUnknownKeyFailsWithTheClosestKnownOne() {
    assertThat(errorOf(ConfigFactory.parseString("hand-over { drain-timout = 1s }")))
        .startsWith(
            "unknown key "
                + PATH
                + ".hand-over.drain-timout. Fix: did you mean "
                + PATH
                + ".hand-over.drain-timeout?");
    assertThat(errorOf(reference())).isNull();
  }
}
