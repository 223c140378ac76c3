package io.slotkeeper.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * TLS for the status server from the PEM files people already have for PostgreSQL or a web server:
 * a certificate chain ({@code --http-tls-cert}, the server's certificate first) and its unencrypted
 * PKCS#8 private key ({@code --http-tls-key}, {@code -----BEGIN PRIVATE KEY-----}, what OpenSSL 3
 * writes by default). No keystore and no password: a password would have to come from somewhere,
 * and the key file's permissions are already what protects it.
 */
final class HttpTls {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]+)-----END \\1-----");

  private HttpTls() {}

  static SSLContext load(Path certificateChain, Path privateKey) {
    Collection<? extends Certificate> chain = certificates(certificateChain);
    PrivateKey key = key(privateKey);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] none = new char[0];
      ks.setKeyEntry("status", key, none, chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, none);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw CliException.usage(
          "cannot use the key "
              + privateKey
              + " with the certificate "
              + certificateChain
              + ": "
              + e.getMessage(),
          "pass the private key that belongs to the first certificate of --http-tls-cert");
    }
  }

  private static Collection<? extends Certificate> certificates(Path file) {
    byte[] bytes = read(file, "--http-tls-cert");
    try {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
      if (certs.isEmpty()) {
        throw new GeneralSecurityException("no certificate in it");
      }
      return certs;
    } catch (GeneralSecurityException e) {
      throw CliException.usage(
          "--http-tls-cert " + file + " holds no readable X.509 certificate: " + e.getMessage(),
          "pass a PEM file with the server's certificate first (then its intermediates)");
    }
  }

  private static PrivateKey key(Path file) {
    String text = new String(read(file, "--http-tls-key"), StandardCharsets.US_ASCII);
    Matcher m = PEM.matcher(text);
    if (!m.find()) {
      throw CliException.usage(
          "--http-tls-key " + file + " holds no PEM block",
          "pass an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)");
    }
    String type = m.group(1);
    if (!type.equals("PRIVATE KEY")) {
      throw CliException.usage(
          "--http-tls-key " + file + " is a " + type + ", not an unencrypted PKCS#8 key",
          "convert it once: openssl pkcs8 -topk8 -nocrypt -in "
              + file
              + " -out key.pem (and keep the result readable only by this program's user)");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisOne) {
        // try the next algorithm
      }
    }
    throw CliException.usage(
        "--http-tls-key " + file + " is not an RSA, EC or EdDSA key this program can read",
        "use an RSA or EC key in unencrypted PKCS#8 PEM");
  }

  private static byte[] read(Path file, String flag) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw CliException.usage(
          "cannot read " + flag + " " + file + ": " + e.getMessage(),
          "pass the path of a readable PEM file to " + flag);
    }
  }
}
