package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A primary and a streaming standby of it for one test class: the primary started with its
 * settings, one table with a primary key and a publication of it created there, then the standby
 * built from it (the testkit's low-level backup) with its own settings, {@code hot_standby_feedback
 * = on} unless said otherwise. Both stop after the class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PrimaryAndStandby SERVERS = PrimaryAndStandby.version(16).table("sb_t", "text", "sb_pub").build();
 * }</pre>
 */
final class PrimaryAndStandby implements BeforeAllCallback, AfterAllCallback {
  private final Builder b;
  private PostgresServer primary;
  private PostgresServer standby;

  private PrimaryAndStandby(Builder b) {
    this.b = b;
  }

  static Builder version(int major) {
    return new Builder(major);
  }

  PostgresServer primary() {
    return primary;
  }

  PostgresServer standby() {
    return standby;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    PostgresServer.Builder pb = PostgresServer.builder().version(b.version);
    b.primarySettings.forEach(pb::setting);
    primary = pb.start();
    primary.execute("CREATE TABLE " + b.table + " (id " + b.keyType + " PRIMARY KEY)");
    primary.execute("CREATE PUBLICATION " + b.publication + " FOR TABLE " + b.table);
    standby = primary.startStandby(b.standbySettings);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (standby != null) {
      standby.close();
    }
    if (primary != null) {
      primary.close();
    }
  }

  static final class Builder {
    private final int version;
    private final Map<String, String> primarySettings = new LinkedHashMap<>();
    private final Map<String, String> standbySettings = new LinkedHashMap<>();
    private String table;
    private String keyType;
    private String publication;

    private Builder(int version) {
      this.version = version;
      standbySettings.put("hot_standby_feedback", "on");
    }

    /** The table {@code name (id keyType PRIMARY KEY)} and {@code publication} of it. */
    Builder table(String name, String keyType, String publication) {
      this.table = name;
      this.keyType = keyType;
      this.publication = publication;
      return this;
    }

    Builder primarySetting(String name, String value) {
      primarySettings.put(name, value);
      return this;
    }

    Builder standbySetting(String name, String value) {
      standbySettings.put(name, value);
      return this;
    }

    PrimaryAndStandby build() {
      if (table == null) {
        throw new IllegalStateException("table(...) is needed");
      }
      return new PrimaryAndStandby(this);
    }
  }
}
