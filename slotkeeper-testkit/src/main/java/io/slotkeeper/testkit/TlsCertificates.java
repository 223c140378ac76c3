package io.slotkeeper.testkit;

import io.slotkeeper.postgres.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority, a server certificate for {@code localhost} only (so that connecting to
 * 127.0.0.1 with {@code sslmode=verify-full} fails the host name check) and a client certificate,
 * made with the {@code openssl} program, and a way to switch a test server to TLS with them.
 */
public final class TlsCertificates {
  private final Path dir;

  private TlsCertificates(Path dir) {
    this.dir = dir;
  }

  /** Generates the three certificates into a new temporary directory. */
  public static TlsCertificates generate(String clientCommonName) {
    try {
      Path dir = Files.createTempDirectory("slotkeeper-tls");
      TlsCertificates c = new TlsCertificates(dir);
      c.openssl(
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "2",
          "-subj",
          "/CN=slotkeeper-test-ca",
          "-keyout",
          "ca.key",
          "-out",
          "ca.crt");
      c.signed("server", "/CN=localhost", "subjectAltName=DNS:localhost");
      c.signed("client", "/CN=" + clientCommonName, null);
      return c;
    } catch (IOException e) {
      throw new IllegalStateException("cannot generate test certificates", e);
    }
  }

  private void signed(String name, String subject, String san) throws IOException {
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        subject,
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr");
    List<String> sign =
        new ArrayList<>(
            List.of(
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                name + ".crt"));
    if (san != null) {
      Path ext = dir.resolve(name + ".ext");
      Files.writeString(ext, san + "\n");
      sign.addAll(List.of("-extfile", ext.toString()));
    }
    openssl(sign.toArray(String[]::new));
    // pgjdbc reads a client key in PKCS#8 DER.
    openssl(
        "pkcs8",
        "-topk8",
        "-inform",
        "PEM",
        "-outform",
        "DER",
        "-nocrypt",
        "-in",
        name + ".key",
        "-out",
        name + ".pk8");
  }

  private void openssl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /** The server's certificate (CN and subject alternative name {@code localhost}), PEM. */
  public Path serverCertificate() {
    return dir.resolve("server.crt");
  }

  /** The server's private key, unencrypted PKCS#8 PEM as OpenSSL 3 writes it. */
  public Path serverKey() {
    return dir.resolve("server.key");
  }

  public Path clientCertificate() {
    return dir.resolve("client.crt");
  }

  /** The client key, PKCS#8 DER as pgjdbc's {@code sslkey} wants it. */
  public Path clientKey() {
    return dir.resolve("client.pk8");
  }

  /**
   * Makes {@code role} (the client certificate's common name) log in with its certificate only:
   * {@code hostssl ... cert} lines ahead of the others in pg_hba.conf, then a reload.
   */
  public void requireClientCertificate(PostgresServer server, String role) {
    Path hba = Path.of(server.queryString("SHOW hba_file"));
    try {
      String lines =
          "hostssl all "
              + role
              + " 127.0.0.1/32 cert\n"
              + "hostssl replication "
              + role
              + " 127.0.0.1/32 cert\n";
      Files.writeString(hba, lines + Files.readString(hba));
    } catch (IOException e) {
      throw new IllegalStateException("cannot change pg_hba.conf", e);
    }
    server.reloadConfiguration();
  }

  /**
   * Makes {@code role} log in over TLS with a SCRAM-SHA-256 password: {@code hostssl ...
   * scram-sha-256} lines ahead of the others in pg_hba.conf (so a channel-bound login, SCRAM with
   * channel binding, is possible), then a reload. The role's password must be stored as SCRAM.
   */
  public void scramOverTls(PostgresServer server, String role) {
    Path hba = Path.of(server.queryString("SHOW hba_file"));
    try {
      String lines =
          "hostssl all "
              + role
              + " 127.0.0.1/32 scram-sha-256\n"
              + "hostssl replication "
              + role
              + " 127.0.0.1/32 scram-sha-256\n";
      Files.writeString(hba, lines + Files.readString(hba));
    } catch (IOException e) {
      throw new IllegalStateException("cannot change pg_hba.conf", e);
    }
    server.reloadConfiguration();
  }

  /**
   * Copies the server's certificate and key and the CA into the server's data directory (owned by
   * the server's OS account, the key readable by it alone, as PostgreSQL insists), turns on {@code
   * ssl} and reloads. Existing {@code host} lines of pg_hba.conf accept TLS and plain connections
   * alike.
   */
  public void install(PostgresServer server) {
    Path data = Path.of(server.queryString("SHOW data_directory"));
    try {
      for (String name : List.of("server.crt", "server.key", "ca.crt")) {
        Path target = data.resolve("slotkeeper-" + name);
        Files.copy(dir.resolve(name), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        // The data directory's owner is the account the server runs as.
        Files.setOwner(target, Files.getOwner(data));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot install the server certificate", e);
    }
    server.execute("ALTER SYSTEM SET ssl_cert_file = 'slotkeeper-server.crt'");
    server.execute("ALTER SYSTEM SET ssl_key_file = 'slotkeeper-server.key'");
    server.execute("ALTER SYSTEM SET ssl_ca_file = 'slotkeeper-ca.crt'");
    server.execute("ALTER SYSTEM SET ssl = on");
    server.reloadConfiguration();
  }
}
