package io.slotkeeper.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against a tiny echo server: no database, so these run with the unit tests. */
class TcpProxyTest {

  private ServerSocket echo;
  private Thread echoThread;

  @BeforeEach
  void startEcho() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    echoThread =
        new Thread(
            () -> {
              while (true) {
                Socket s;
                try {
                  s = echo.accept();
                } catch (IOException closed) {
                  return;
                }
                Thread t =
                    new Thread(
                        () -> {
                          try (s;
                              InputStream in = s.getInputStream();
                              OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                          } catch (IOException ignored) {
                            // peer reset
                          }
                        },
                        "echo-conn");
                t.setDaemon(true);
                t.start();
              }
            },
            "echo-accept");
    echoThread.setDaemon(true);
    echoThread.start();
  }

  @AfterEach
  void stopEcho() throws Exception {
    echo.close();
    echoThread.join(2000);
  }

  private static Socket connect(TcpProxy proxy) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout(2000);
    return s;
  }

  private static byte[] roundTrip(Socket s, String text) throws IOException {
    byte[] sent = text.getBytes();
    s.getOutputStream().write(sent);
    s.getOutputStream().flush();
    byte[] got = new byte[sent.length];
    int off = 0;
    while (off < got.length) {
      int n = s.getInputStream().read(got, off, got.length - off);
      if (n < 0) {
        throw new IOException("EOF");
      }
      off += n;
    }
    return got;
  }

  private static long proxyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("tcp-proxy-") && t.isAlive())
        .count();
  }

  @Test
  void forwardsBothWaysAndPassesOnHalfClose() throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
        Socket s = connect(proxy)) {
      assertThat(roundTrip(s, "hello")).isEqualTo("hello".getBytes());
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void cutAllResetsConnections() throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
        Socket s = connect(proxy)) {
      roundTrip(s, "x");
      assertThat(proxy.activeConnections()).isEqualTo(1);
      proxy.cutAll();
      assertThat(proxy.activeConnections()).isZero();
      assertThatThrownBy(
              () -> {
                s.getInputStream()
                    .read(); // RST surfaces as "Connection reset" (or EOF on some stacks)
                throw new SocketException("read returned");
              })
          .isInstanceOf(SocketException.class);
      try (Socket again = connect(proxy)) {
        assertThat(roundTrip(again, "y")).isEqualTo("y".getBytes());
      }
    }
  }

  @Test
  void blackholeStallsWithoutClosingAndHealing() throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
        Socket s = connect(proxy)) {
      roundTrip(s, "a");
      proxy.blackhole(true);
      s.setSoTimeout(500);
      assertThatThrownBy(() -> roundTrip(s, "b")).isInstanceOf(SocketTimeoutException.class);
      try (Socket fresh = connect(proxy)) {
        fresh.setSoTimeout(300);
        fresh.getOutputStream().write('c');
        assertThatThrownBy(() -> fresh.getInputStream().read())
            .isInstanceOf(SocketTimeoutException.class);
        proxy.blackhole(false);
        fresh.setSoTimeout(2000);
        assertThat(fresh.getInputStream().read()).isEqualTo('c');
      }
      s.setSoTimeout(2000);
      assertThat(s.getInputStream().read())
          .isEqualTo('b'); // the held-back byte arrives after healing
    }
  }

  @Test
  void blackholeAfterStopsMidChunkAndHeals() throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
        Socket s = connect(proxy)) {
      roundTrip(s, "a");
      proxy.blackholeAfter(3);
      assertThat(proxy.isBlackholed()).isFalse();
      s.getOutputStream().write("hello".getBytes());
      s.getOutputStream().flush();
      byte[] got = new byte[5];
      int off = 0;
      while (off < 3) {
        off += s.getInputStream().read(got, off, 5 - off);
      }
      assertThat(off).as("only the allowance passes").isEqualTo(3);
      assertThat(proxy.isBlackholed()).isTrue();
      s.setSoTimeout(500);
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      assertThatThrownBy(() -> roundTrip(s, "z"))
          .as("everything is black-holed now")
          .isInstanceOf(SocketTimeoutException.class);
      proxy.blackhole(false);
      s.setSoTimeout(2000);
      byte[] rest = new byte[3];
      off = 0;
      while (off < 3) {
        off += s.getInputStream().read(rest, off, 3 - off);
      }
      assertThat(new String(got, 0, 3)).isEqualTo("hel");
      assertThat(new String(rest)).as("held-back bytes arrive after healing").isEqualTo("loz");
    }
  }

  @Test
  void refuseClosesTheListener() throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort())) {
      proxy.refuse(true);
      assertThatThrownBy(() -> connect(proxy).close()).isInstanceOf(ConnectException.class);
      proxy.refuse(false);
      try (Socket s = connect(proxy)) {
        assertThat(roundTrip(s, "ok")).isEqualTo("ok".getBytes());
      }
    }
  }

  @Test
  void latencyDelaysChunks() throws Exception {
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
        Socket s = connect(proxy)) {
      proxy.latency(Duration.ofMillis(150));
      long t0 = System.nanoTime();
      roundTrip(s, "slow");
      // one delay on the way there, one on the way back
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void unreachableTargetClosesTheClient() throws Exception {
    int dead;
    try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = tmp.getLocalPort();
    }
    try (TcpProxy proxy = TcpProxy.start("127.0.0.1", dead);
        Socket s = connect(proxy)) {
      assertThatThrownBy(
              () -> {
                if (s.getInputStream().read() == -1) {
                  throw new SocketException("EOF");
                }
              })
          .isInstanceOf(SocketException.class);
    }
  }

  @Test
  void closeEndsEveryThread() throws Exception {
    long before = proxyThreads();
    TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
    Socket[] sockets = new Socket[3];
    for (int i = 0; i < sockets.length; i++) {
      sockets[i] = connect(proxy);
      roundTrip(sockets[i], "z");
    }
    proxy.blackhole(true);
    sockets[0].getOutputStream().write(1); // one pump now waits at the gate
    proxy.latency(Duration.ofSeconds(30));
    assertThat(proxyThreads()).isGreaterThan(before);
    proxy.close();
    assertThat(proxyThreads()).isEqualTo(before);
    assertThat(proxy.activeConnections()).isZero();
    Arrays.stream(sockets)
        .forEach(
            s -> {
              try {
                s.close();
              } catch (IOException ignored) {
                // reset already
              }
            });
  }
}
