package io.slotkeeper;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads one settings section (such as {@code slotkeeper.source}) against its reference.conf, so
 * that every mistake is one line naming the full key and the fix: a misspelt key (which HOCON
 * itself would silently ignore) with the closest known one, and a value of the wrong type with what
 * the key takes and its default. A value is never echoed, so a password cannot leak through a
 * message.
 */
@InternalApi
public final class SettingsReader {
  private final String path;
  private final String owner;
  private final Config reference;
  private final Config merged;

  /**
   * @param user the section as given; missing keys fall back to reference.conf's
   * @param path where the section lives, e.g. {@code slotkeeper.source}, for messages
   * @param owner the module whose reference.conf documents the keys, for messages
   * @param openSections blocks whose keys are free (passed through, e.g. pgjdbc properties)
   * @throws IllegalArgumentException for a key reference.conf does not have
   */
  public SettingsReader(Config user, String path, String owner, Set<String> openSections) {
    this.path = path;
    this.owner = owner;
    this.reference = ConfigFactory.defaultReference().getConfig(path);
    this.merged = user.withFallback(reference);
    rejectUnknown(user, openSections);
  }

  private void rejectUnknown(Config user, Set<String> openSections) {
    Set<String> known = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
      known.add(e.getKey());
    }
    known.addAll(openSections);
    for (Map.Entry<String, ConfigValue> e : new TreeMap<>(asMap(user)).entrySet()) {
      String key = e.getKey();
      if (known.contains(key) || openSections.stream().anyMatch(s -> key.startsWith(s + "."))) {
        continue;
      }
      throw new IllegalArgumentException(
          "unknown key "
              + path
              + "."
              + key
              + ". Fix: did you mean "
              + path
              + "."
              + closest(key, known)
              + "? (the keys are those of "
              + owner
              + "'s reference.conf)");
    }
  }

  private static Map<String, ConfigValue> asMap(Config c) {
    Map<String, ConfigValue> m = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      m.put(e.getKey(), e.getValue());
    }
    return m;
  }

  /** The known key with the smallest edit distance, ties to the alphabetically first. */
  public static String closest(String key, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  public String string(String key) {
    return read(key, "a string", () -> merged.getString(key));
  }

  public boolean bool(String key) {
    return read(key, "on or off", () -> merged.getBoolean(key));
  }

  public int integer(String key) {
    return read(key, "a whole number", () -> merged.getInt(key));
  }

  public double number(String key) {
    return read(key, "a number", () -> merged.getDouble(key));
  }

  public Duration duration(String key) {
    return read(key, "a duration such as 10s or 200ms", () -> merged.getDuration(key));
  }

  public long bytes(String key) {
    return read(key, "a size such as 1 GiB or 512 MiB", () -> merged.getBytes(key));
  }

  public List<String> stringList(String key) {
    return read(key, "a list of strings such as [a, b]", () -> merged.getStringList(key));
  }

  /**
   * A duration, or empty for one of {@code words} (HOCON also reads a bare off as the boolean
   * false).
   */
  public Optional<Duration> optionalDuration(String key, String... words) {
    String what = "a duration such as 10s, or " + String.join(" or ", words);
    return read(
        key,
        what,
        () -> {
          Object raw = merged.getValue(key).unwrapped();
          if (Boolean.FALSE.equals(raw) || List.of(words).contains(raw)) {
            return Optional.empty();
          }
          return Optional.of(merged.getDuration(key));
        });
  }

  /** The scalar values of a free block (e.g. pgjdbc properties), as strings. */
  public Map<String, String> properties(String key) {
    return read(
        key,
        "a block of name = value pairs such as { sslmode = require }",
        () -> {
          Map<String, String> props = new TreeMap<>();
          for (Map.Entry<String, ConfigValue> e : merged.getConfig(key).entrySet()) {
            if (e.getValue().valueType() == ConfigValueType.LIST
                || e.getValue().valueType() == ConfigValueType.OBJECT) {
              throw new ConfigException.BadValue(key + "." + e.getKey(), "not a scalar");
            }
            props.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
          }
          return props;
        });
  }

  /** A value out of its range: the same one-line shape as a type error. */
  public IllegalArgumentException bad(String key, String problem, String fix) {
    return new IllegalArgumentException(path + "." + key + " " + problem + ". Fix: " + fix);
  }

  private interface Getter<T> {
    T get();
  }

  private <T> T read(String key, String what, Getter<T> getter) {
    try {
      return getter.get();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          path
              + "."
              + key
              + " must be "
              + what
              + ". Fix: write it like the default, "
              + key
              + " = "
              + defaultOf(key)
              + " (see "
              + owner
              + "'s reference.conf for its meaning and unit)",
          e);
    }
  }

  private String defaultOf(String key) {
    if (!reference.hasPath(key)) {
      return "...";
    }
    ConfigValue v = reference.getValue(key);
    return v.render(com.typesafe.config.ConfigRenderOptions.concise()).replace("\n", " ");
  }
}
