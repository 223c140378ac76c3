package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TlsCertificates;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS end to end against a server with ssl = on and certificates the testkit generates: {@code
 * require} and {@code verify-full} stream over TLS (the walsender's own connection is encrypted),
 * and {@code verify-full} to a host name the certificate does not hold ends FAILED with the fix,
 * after one attempt, instead of retrying for ever.
 */
class TlsIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static TlsCertificates certs;
  private static final java.util.concurrent.atomic.AtomicInteger ROW =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeAll
  static void tls() {
    PostgresServer pg = PG.server();
    certs = TlsCertificates.generate("cert_user");
    certs.install(pg);
    pg.execute("CREATE ROLE cert_user LOGIN REPLICATION");
    certs.requireClientCertificate(pg, "cert_user");
    pg.execute("CREATE TABLE t (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION t_pub FOR TABLE t");
    pg.execute("GRANT SELECT ON t TO cert_user");
    pg.execute("SET password_encryption = 'scram-sha-256'");
    pg.execute("CREATE ROLE scram_user LOGIN REPLICATION PASSWORD '" + SCRAM_PASSWORD + "'");
    pg.execute("GRANT SELECT ON t TO scram_user");
    certs.scramOverTls(pg, "scram_user");
  }

  private static final String SCRAM_PASSWORD = "scram-Pw-61a";

  private static SourceSettings settings(String url, String slot, String sslmode) {
    return Harness.settings(PG.server(), slot, "t_pub")
        .withUrl(url)
        .withCreateSlotIfMissing(true)
        .withConnectionProperty("sslmode", sslmode)
        .withConnectionProperty("sslrootcert", certs.caCertificate().toString());
  }

  private static void streamsOverTls(SourceSettings s, String slot) throws Exception {
    PostgresServer pg = PG.server();
    try (Harness h = Harness.start(kit.system(), s)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      assertThat(
              pg.queryString(
                  "SELECT s.ssl::text FROM pg_stat_ssl s JOIN pg_replication_slots r"
                      + " ON r.active_pid = s.pid WHERE r.slot_name = '"
                      + slot
                      + "'"))
          .isEqualTo("true");
      pg.execute("INSERT INTO t VALUES (" + ROW.incrementAndGet() + ")");
      Harness.await(
          "the row", Duration.ofSeconds(30), () -> !h.consumer.insertedIds("t").isEmpty());
    }
  }

  @Test
  void requireStreamsOverTls() throws Exception {
    streamsOverTls(settings(PG.server().jdbcUrl(), "tls_require", "require"), "tls_require");
  }

  @Test
  void verifyFullStreamsWhenTheHostNameMatches() throws Exception {
    String url = PG.server().jdbcUrl().replace("127.0.0.1", "localhost");
    assertThat(url).contains("//localhost:");
    streamsOverTls(settings(url, "tls_full", "verify-full"), "tls_full");
  }

  @Test
  void verifyCaStreamsWithoutCheckingTheHostName() throws Exception {
    streamsOverTls(settings(PG.server().jdbcUrl(), "tls_ca", "verify-ca"), "tls_ca");
  }

  @Test
  void aClientCertificateLogsInWithoutAPassword() throws Exception {
    SourceSettings s =
        settings(PG.server().jdbcUrl(), "tls_cert", "verify-ca")
            .withUser("cert_user")
            .withPassword("")
            .withConnectionProperty("sslcert", certs.clientCertificate().toString())
            .withConnectionProperty("sslkey", certs.clientKey().toString());
    streamsOverTls(s, "tls_cert");
    assertThat(
            PG.server()
                .queryString(
                    "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = 'tls_cert'"))
        .isEqualTo("1");
  }

  @Test
  void scramWithChannelBindingRequiredStreams() throws Exception {
    SourceSettings s =
        settings(PG.server().jdbcUrl(), "tls_scram", "verify-ca")
            .withUser("scram_user")
            .withPassword(SCRAM_PASSWORD)
            .withConnectionProperty("channelBinding", "require");
    streamsOverTls(s, "tls_scram");
  }

  @Test
  void channelBindingRequiredWithoutTlsFailsWithTheFixInsteadOfRetrying() throws Exception {
    SourceSettings s =
        settings(PG.server().jdbcUrl(), "tls_nobind", "disable")
            .withUser("scram_user")
            .withPassword(SCRAM_PASSWORD)
            .withConnectionProperty("channelBinding", "require");
    try (Harness h = Harness.start(kit.system(), s)) {
      Harness.await(
          "FAILED", Duration.ofSeconds(30), () -> h.control.status().level() == StatusLevel.FAILED);
      assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
      SourceFailedException f = h.control.status().error().orElseThrow();
      assertThat(f.kind()).isEqualTo(FailureKind.CONFIGURATION);
      assertThat(f.problem()).contains("channel binding");
      assertThat(f.remediation()).contains("sslmode");
    }
  }

  @Test
  void aServerCertificateFromAnotherCaFailsWithTheFixInsteadOfRetrying() throws Exception {
    TlsCertificates other = TlsCertificates.generate("nobody");
    SourceSettings s =
        settings(PG.server().jdbcUrl(), "tls_other_ca", "verify-ca")
            .withConnectionProperty("sslrootcert", other.caCertificate().toString());
    try (Harness h = Harness.start(kit.system(), s)) {
      Harness.await(
          "FAILED", Duration.ofSeconds(30), () -> h.control.status().level() == StatusLevel.FAILED);
      assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
      SourceFailedException f = h.control.status().error().orElseThrow();
      assertThat(f.kind()).isEqualTo(FailureKind.CONFIGURATION);
      assertThat(f.problem()).contains("certificate").contains("sslrootcert");
      assertThat(f.remediation()).contains("sslrootcert");
    }
  }

  @Test
  void verifyFullToAHostNameTheCertificateLacksFailsWithTheFix() throws Exception {
    SourceSettings s = settings(PG.server().jdbcUrl(), "tls_wrong_host", "verify-full");
    try (Harness h = Harness.start(kit.system(), s)) {
      Harness.await(
          "FAILED", Duration.ofSeconds(30), () -> h.control.status().level() == StatusLevel.FAILED);
      assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
      SourceFailedException f = h.control.status().error().orElseThrow();
      assertThat(f.kind()).isEqualTo(FailureKind.CONFIGURATION);
      assertThat(f.problem()).contains("127.0.0.1").contains("certificate");
      assertThat(f.remediation()).contains("host name").contains("verify-ca");
    }
  }
}
