package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.testkit.TlsCertificates;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** The transport's TLS without a database: handshake in the worker, bounded by the head timeout. */
class HttpTransportTlsTest {

  private static final HttpTransport.Handler HELLO =
      req -> HttpTransport.Response.text(200, "hello " + req.path() + "\n");

  @Test
  void aClientThatNeverHandshakesIsDroppedAfterTheHeadTimeout() throws Exception {
    TlsCertificates certs = TlsCertificates.generate("nobody");
    SSLContext server = HttpTls.load(certs.serverCertificate(), certs.serverKey());
    HttpLimits limits = new HttpLimits(8 * 1024, Duration.ofSeconds(1), 2, 16, 100, 100);
    try (HttpTransport t =
        HttpTransport.start(new InetSocketAddress("127.0.0.1", 0), limits, server, HELLO)) {
      try (Socket idle = new Socket("127.0.0.1", t.address().getPort())) {
        idle.setSoTimeout(30_000);
        // Closed by the server (end of stream), not by this read's own timeout.
        assertThat(idle.getInputStream().read()).isEqualTo(-1);
      }
    }
  }

  @Test
  void answersAClientThatTrustsTheCertificate() throws Exception {
    TlsCertificates certs = TlsCertificates.generate("nobody");
    SSLContext server = HttpTls.load(certs.serverCertificate(), certs.serverKey());
    // A cold TLS stack on a loaded 2-core machine took 2.5 s for the first handshake; the bound
    // here is not what is tested.
    HttpLimits limits = new HttpLimits(8 * 1024, Duration.ofSeconds(30), 2, 16, 100, 100);
    try (HttpTransport t =
        HttpTransport.start(new InetSocketAddress("127.0.0.1", 0), limits, server, HELLO)) {
      HttpClient client = HttpClient.newBuilder().sslContext(trusting(certs)).build();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("https://localhost:" + t.address().getPort() + "/x"))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("hello /x\n");
    }
  }

  private static SSLContext trusting(TlsCertificates certs) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(certs.caCertificate())) {
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
