package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.SourceSettings;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class JdbcPropertiesTest {
  private static final SourceSettings SETTINGS =
      SourceSettings.create(
              ConfigFactory.parseString(
                  "url = \"jdbc:postgresql://db/app\", user = repl, password = s3cret, slot-name = app_slot,"
                      + " publications = [p], connection-properties { sslmode = require }"))
          .withConnectTimeout(Duration.ofMillis(300))
          .withSocketTimeout(Duration.ofSeconds(45));

  @Test
  void sourceConnectionsCarryRolePasswordTimeoutsAndTheSlotInTheApplicationName() {
    Properties p = JdbcProperties.of(SETTINGS);
    assertThat(p.getProperty("user")).isEqualTo("repl");
    assertThat(p.getProperty("password")).isEqualTo("s3cret");
    assertThat(p.getProperty("sslmode")).isEqualTo("require");
    assertThat(p.getProperty("connectTimeout"))
        .as("whole seconds, never 0 (no timeout)")
        .isEqualTo("1");
    assertThat(p.getProperty("loginTimeout")).isEqualTo("1");
    assertThat(p.getProperty("socketTimeout")).isEqualTo("45");
    assertThat(p.getProperty("tcpKeepAlive")).isEqualTo("true");
    assertThat(p.getProperty("ApplicationName")).isEqualTo("slotkeeper:app_slot");
    assertThat(
            JdbcProperties.of(SETTINGS.withConnectionProperty("ApplicationName", "mine"))
                .getProperty("ApplicationName"))
        .isEqualTo("mine");
  }

  @Test
  void thePrimaryUsesItsOwnRoleOrElseTheSourcesRoleAndPassword() {
    Properties same =
        JdbcProperties.primary(SETTINGS.withPrimary("jdbc:postgresql://primary/app", "", ""));
    assertThat(same.getProperty("user")).isEqualTo("repl");
    assertThat(same.getProperty("password")).isEqualTo("s3cret");
    Properties own =
        JdbcProperties.primary(
            SETTINGS.withPrimary("jdbc:postgresql://primary/app", "admin", "adm"));
    assertThat(own.getProperty("user")).isEqualTo("admin");
    assertThat(own.getProperty("password")).isEqualTo("adm");
    Properties noPassword =
        JdbcProperties.primary(SETTINGS.withPrimary("jdbc:postgresql://primary/app", "admin", ""));
    assertThat(noPassword.getProperty("password"))
        .as("a role of its own never borrows the source's password")
        .isNull();
  }
}
