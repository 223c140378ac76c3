package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every key of slotkeeper.source, enumerated from reference.conf itself (so a new key is covered
 * without touching this test): a wrong type, an out-of-range value and a misspelt name each give
 * one line naming the key and the fix.
 */
class SettingsKeysTest {
  private static final String PATH = SourceSettings.CONFIG_PATH;
  private static final Config VALID =
      ConfigFactory.parseString(
          "url = \"jdbc:postgresql://db:5432/app\", slot-name = s, publications = [p]");

  private static Config reference() {
    return ConfigFactory.defaultReference().getConfig(PATH);
  }

  private static TreeSet<String> keys() {
    TreeSet<String> keys = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : reference().entrySet()) {
      keys.add(e.getKey());
    }
    assertThat(keys)
        .contains("url", "slot.creation.heal-interval", "retention.safe-wal-size-warning");
    return keys;
  }

  private static String errorOf(Config section) {
    try {
      SourceSettings.create(section.withFallback(VALID)).validate();
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
    List<String> checked = new ArrayList<>();
    for (String key : keys()) {
      ConfigValue ref = reference().getValue(key);
      // Every key is a scalar or a list; a list for a scalar (and an object for a list) is a type
      // no reader converts.
      Object wrong = ref.valueType() == ConfigValueType.LIST ? Map.of("a", 1) : List.of(1, 2);
      String message =
          errorOf(ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(wrong)));
      assertOneLineNaming(key, message);
      checked.add(key);
    }
    String props = errorOf(ConfigFactory.parseString("connection-properties = [1, 2]"));
    assertOneLineNaming("connection-properties", props);
    assertThat(checked).hasSize(keys().size());
  }

  @Test
  void anOutOfRangeNumberOrDurationNamesThatKey() {
    int checked = 0;
    for (String key : keys()) {
      ConfigValue ref = reference().getValue(key);
      String negative;
      if (ref.valueType() == ConfigValueType.NUMBER) {
        negative = "-1";
      } else if (ref.valueType() == ConfigValueType.STRING && isDuration(key)) {
        negative = "-1s";
      } else if (ref.valueType() == ConfigValueType.STRING && isBytes(key)) {
        negative = "-1";
      } else if (ref.valueType() == ConfigValueType.BOOLEAN
          || ref.valueType() == ConfigValueType.LIST) {
        continue;
      } else {
        // off/auto optional durations: a negative one is out of range too
        if (key.endsWith("interval") || key.endsWith("timeout") || key.endsWith("after")) {
          negative = "-1s";
        } else {
          continue;
        }
      }
      assertOneLineNaming(
          key,
          errorOf(ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(negative))));
      checked++;
    }
    assertThat(checked).as("numbers and durations checked").isGreaterThan(15);
  }

  private static boolean isDuration(String key) {
    try {
      reference().getDuration(key);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean isBytes(String key) {
    try {
      reference().getBytes(key);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Test
  void anUnknownKeyFailsWithTheClosestKnownOne() {
    assertThat(errorOf(ConfigFactory.parseString("slot-nmae = x")))
        .isEqualTo(
            "unknown key "
                + PATH
                + ".slot-nmae. Fix: did you mean "
                + PATH
                + ".slot-name? (the keys are those of slotkeeper-core's reference.conf)");
    assertThat(errorOf(ConfigFactory.parseString("slot { temprary = on }")))
        .contains(
            "unknown key "
                + PATH
                + ".slot.temprary. Fix: did you mean "
                + PATH
                + ".slot.temporary?");
    assertThat(errorOf(ConfigFactory.parseString("batchsize = 10")))
        .contains("did you mean " + PATH + ".batch-size?");
    // A value where the reference has a block is as unknown as a misspelt name.
    assertThat(errorOf(ConfigFactory.parseString("restart = 5s")))
        .contains("unknown key " + PATH + ".restart.");
  }

  @Test
  void pgjdbcPropertiesAndEveryReferenceKeyAreAccepted() {
    assertThat(
            errorOf(
                ConfigFactory.parseString(
                    "connection-properties { sslmode = require, ApplicationName = x }")))
        .isNull();
    // The whole reference, given explicitly (as an actor system's config section is), passes.
    Config whole = VALID.withFallback(reference());
    assertThat(SourceSettings.create(whole).validate().slot().name()).isEqualTo("s");
  }

  @Test
  void theRepositoryApplicationConfIsAccepted() {
    Config app =
        ConfigFactory.parseFile(Path.of("..", "application.conf").toFile())
            .resolve()
            .getConfig(PATH);
    try {
      SourceSettings.create(app);
    } catch (IllegalArgumentException e) {
      fail("application.conf: " + e.getMessage());
    }
  }

  @Test
  void aBadValueNeverEchoesAPassword() {
    assertThatThrownBy(
            () ->
                SourceSettings.create(
                    ConfigFactory.parseString(
                        "password = [\"Zq8-secret\"], admin.primary-password = {a = b}")))
        .hasMessageNotContaining("Zq8-secret")
        .hasMessageContaining(PATH + ".");
  }
}
