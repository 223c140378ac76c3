package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TlsCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The status server over TLS, with certificates the testkit makes (a CA and a server certificate
 * for {@code localhost}): HTTPS answers a client that trusts the CA, plain HTTP and clients that do
 * not trust it get nothing, and key files the program cannot use are one usage line naming the fix.
 */
class CliHttpTlsIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final String TOKEN = "tok-tls-8b13e0";

  @Test
  void httpsServesTheStatusToAClientThatTrustsTheCaAndNothingElse() throws Exception {
    TlsCertificates certs = TlsCertificates.generate("nobody");
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE tls1 (id int PRIMARY KEY)");
    int port = CliHttp.freePort();
    CliRun.Background b =
        new CliRun.Background(
            Map.of("PGPASSWORD", pg.superuserPassword(), HttpToken.ENV, TOKEN),
            CliHttp.streamArgs(
                PG.server(),
                "tls1_slot",
                "tls1_pub",
                "public.tls1",
                "--http",
                String.valueOf(port),
                "--http-tls-cert",
                certs.serverCertificate().toString(),
                "--http-tls-key",
                certs.serverKey().toString()));
    String https = "https://localhost:" + port;
    try {
      // No connect timeout: on a loaded 2-core machine a cold TLS handshake took seconds, and the
      // client's connect timeout includes it. Each request has its own timeout.
      HttpClient trusting =
          HttpClient.newBuilder().sslContext(trusting(certs.caCertificate())).build();
      CliHttp.await(() -> CliHttp.get(trusting, https + "/ready", null).statusCode() == 200, b);
      HttpResponse<String> status = CliHttp.get(trusting, https + "/status", "Bearer " + TOKEN);
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(status.body()).contains("tls1_slot");
      assertThat(CliHttp.get(trusting, https + "/status", null).statusCode()).isEqualTo(401);
      assertThat(CliHttp.get(trusting, https + "/", null).body())
          .contains("<title>Slotkeeper status");

      // A client that does not trust the CA fails the handshake; plain HTTP gets no answer.
      HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      assertThatThrownBy(() -> CliHttp.send(untrusting, https + "/ready", null))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(
              () -> CliHttp.send(untrusting, "http://127.0.0.1:" + port + "/ready", null))
          .isInstanceOf(IOException.class);

      // The server goes on serving after the failed attempts.
      assertThat(CliHttp.get(trusting, https + "/live", null).statusCode()).isEqualTo(200);
    } finally {
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    }
    assertThat(b.err()).doesNotContain(TOKEN);
  }

  @Test
  void keyFilesItCannotUseAreOneUsageLineNamingTheFix() throws Exception {
    TlsCertificates certs = TlsCertificates.generate("nobody");
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE tls2 (id int PRIMARY KEY)");

    CliRun onlyCert =
        CliRun.run(
            Map.of("PGPASSWORD", pg.superuserPassword()),
            CliHttp.streamArgs(
                PG.server(),
                "tls2_slot",
                "tls2_pub",
                "public.tls2",
                "--http",
                String.valueOf(CliHttp.freePort()),
                "--http-tls-cert",
                certs.serverCertificate().toString()));
    assertThat(onlyCert.exitCode).as(onlyCert.toString()).isEqualTo(CliException.USAGE);
    assertThat(onlyCert.errLines()).hasSize(1);
    assertThat(onlyCert.err).contains("--http-tls-cert and --http-tls-key go together");

    Path traditional = Files.createTempFile("rsa", ".pem");
    openssl(
        "rsa", "-in", certs.serverKey().toString(), "-traditional", "-out", traditional.toString());
    assertThat(Files.readString(traditional)).contains("BEGIN RSA PRIVATE KEY");
    CliRun pkcs1 =
        CliRun.run(
            Map.of("PGPASSWORD", pg.superuserPassword()),
            CliHttp.streamArgs(
                PG.server(),
                "tls2_slot",
                "tls2_pub",
                "public.tls2",
                "--http",
                String.valueOf(CliHttp.freePort()),
                "--http-tls-cert",
                certs.serverCertificate().toString(),
                "--http-tls-key",
                traditional.toString()));
    assertThat(pkcs1.exitCode).as(pkcs1.toString()).isEqualTo(CliException.USAGE);
    assertThat(pkcs1.errLines()).hasSize(1);
    assertThat(pkcs1.err).contains("RSA PRIVATE KEY", "openssl pkcs8 -topk8 -nocrypt");
    Files.deleteIfExists(traditional);
  }

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static SSLContext trusting(Path caPem) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
