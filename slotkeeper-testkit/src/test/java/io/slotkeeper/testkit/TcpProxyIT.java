package io.slotkeeper.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGProperty;

/**
 * The proxy between pgjdbc and a real server: the faults look to the driver like real network
 * faults.
 */
class TcpProxyIT {

  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private TcpProxy proxy;

  @BeforeEach
  void startProxy() {
    proxy = TcpProxy.start(PG.server().host(), PG.server().port());
  }

  @AfterEach
  void closeProxy() {
    proxy.close();
  }

  private Connection connectThroughProxy(int socketTimeoutSeconds) throws SQLException {
    Properties props = PG.server().connectionProperties();
    PGProperty.SOCKET_TIMEOUT.set(props, socketTimeoutSeconds);
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres", props);
  }

  private static int selectOne(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void forwardsQueries() throws Exception {
    try (Connection c = connectThroughProxy(10)) {
      assertThat(selectOne(c)).isEqualTo(1);
      assertThat(proxy.activeConnections()).isEqualTo(1);
    }
  }

  @Test
  void cutAllBreaksOpenConnectionsButAcceptsNewOnes() throws Exception {
    try (Connection c = connectThroughProxy(10)) {
      assertThat(selectOne(c)).isEqualTo(1);
      proxy.cutAll();
      assertThatThrownBy(() -> selectOne(c)).isInstanceOf(SQLException.class);
    }
    assertThat(proxy.activeConnections()).isZero();
    try (Connection again = connectThroughProxy(10)) {
      assertThat(selectOne(again)).isEqualTo(1);
    }
  }

  @Test
  void blackholeMakesQueriesTimeOutWithoutClosingAnything() throws Exception {
    try (Connection c = connectThroughProxy(2)) {
      assertThat(selectOne(c)).isEqualTo(1);
      proxy.blackhole(true);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> selectOne(c))
          .isInstanceOf(SQLException.class)
          .hasRootCauseInstanceOf(java.net.SocketTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
      assertThat(proxy.activeConnections()).isEqualTo(1);
    }
  }

  @Test
  void latencyDelaysEveryRoundTrip() throws Exception {
    try (Connection c = connectThroughProxy(10)) {
      selectOne(c);
      proxy.latency(Duration.ofMillis(300));
      long t0 = System.nanoTime();
      selectOne(c);
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
      proxy.latency(Duration.ZERO);
    }
  }

  @Test
  void refuseRejectsNewConnectionsUntilLifted() throws Exception {
    proxy.refuse(true);
    assertThatThrownBy(() -> connectThroughProxy(2).close()).isInstanceOf(SQLException.class);
    proxy.refuse(false);
    try (Connection c = connectThroughProxy(10)) {
      assertThat(selectOne(c)).isEqualTo(1);
    }
  }

  /**
   * The flake this once had: closing a listener whose accept thread is blocked in accept() leaves
   * the kernel socket listening until that thread has run, so a connect right after refuse(true)
   * could still complete (and even be accepted and forwarded). A raw connect sees it whenever the
   * handshake completes.
   */
  @Test
  void refuseHoldsFromTheMomentItReturns() throws Exception {
    for (int round = 0; round < 200; round++) {
      try (TcpProxy p = TcpProxy.start(PG.server().host(), PG.server().port())) {
        // One accepted connection first, so the accept thread is back in accept() when refuse
        // comes.
        try (Socket first = new Socket()) {
          first.connect(new InetSocketAddress("127.0.0.1", p.port()), 2000);
        }
        p.refuse(true);
        try (Socket s = new Socket()) {
          int r = round;
          assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", p.port()), 2000))
              .as("round %d: connected while refusing", r)
              .isInstanceOf(ConnectException.class);
        }
      }
    }
  }
}
