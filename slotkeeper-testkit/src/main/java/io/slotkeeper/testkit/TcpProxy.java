package io.slotkeeper.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-JVM TCP proxy on 127.0.0.1 for putting network faults between a client and a server.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
 *     String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres";
 *     proxy.blackhole(true);  // the network goes silent, nothing is closed
 *     proxy.cutAll();         // every connection is reset
 * }
 * }</pre>
 *
 * <p>Plain blocking sockets with two pump threads per connection: simple to reason about, and the
 * volumes in tests are tiny. Every thread is a daemon, tracked, and joined by {@link #close()}.
 */
public final class TcpProxy implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final AtomicInteger IDS = new AtomicInteger();

  /**
   * Where new connections go; {@link #retarget} changes it (as a re-pointed DNS name or a failover
   * would).
   */
  private volatile InetSocketAddress target;

  private final int port;
  private final String name;

  /** Guards the fault switches below; pump threads wait on it while blackholed or delayed. */
  private final Object gate = new Object();

  private boolean blackholed;

  /** Bytes still to forward from the server before black-holing; negative while not armed. */
  private long downstreamAllowance = -1;

  private long latencyNanos;
  private boolean closed;

  /** The armed corruption of server-to-client bytes, or null. */
  private volatile DownstreamCorruption corruption;

  /** The current listener and the thread accepting on it; both null while refusing or closed. */
  private ServerSocket listener;

  private Thread acceptThread;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger linkIds = new AtomicInteger();

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.target = InetSocketAddress.createUnresolved(targetHost, targetPort);
    ServerSocket ss = listenOutsideEphemeralRange();
    this.port = ss.getLocalPort();
    this.name = "tcp-proxy-" + IDS.incrementAndGet() + "-" + port;
    synchronized (gate) {
      this.listener = ss;
      this.acceptThread = spawn(name + "-accept", () -> acceptLoop(ss));
    }
  }

  /**
   * A listener on a random free port below Linux's ephemeral range (32768+). Why not port 0: the
   * kernel hands out port-0 listeners from the ephemeral range, and once {@link #refuse} closes the
   * listener, a client's connect to that port can pick the very same port as its own source port
   * and "connect" to itself (TCP simultaneous open), so the refused connection would succeed.
   */
  private static ServerSocket listenOutsideEphemeralRange() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate =
          PORT_MIN + java.util.concurrent.ThreadLocalRandom.current().nextInt(PORT_MAX - PORT_MIN);
      ServerSocket ss = new ServerSocket();
      try {
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate), 64);
        return ss;
      } catch (IOException e) {
        closeQuietly(ss);
        last = e;
      }
    }
    throw last;
  }

  /**
   * Apart from the embedded servers' ports (15000 to 24000, EmbeddedBackend): a refused proxy's
   * port must not become a server's meanwhile, or {@link #refuse} would not refuse.
   */
  private static final int PORT_MIN = 24000;

  private static final int PORT_MAX = 32700;

  /** Listens on a free port of 127.0.0.1 and forwards every connection to {@code host:port}. */
  public static TcpProxy start(String host, int port) {
    try {
      return new TcpProxy(Objects.requireNonNull(host), port);
    } catch (IOException e) {
      throw new UncheckedIOException("could not open a proxy listener on 127.0.0.1", e);
    }
  }

  /** The port clients connect to (on 127.0.0.1). */
  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** Connections currently open through the proxy (accepted and not yet closed or cut). */
  public int activeConnections() {
    return links.size();
  }

  /**
   * Resets every current connection on both sides (SO_LINGER 0, so the peers get an RST rather than
   * an orderly FIN). New connections are still accepted.
   */
  public void cutAll() {
    for (Link link : new ArrayList<>(links)) {
      link.abort();
    }
  }

  /**
   * While on, bytes stop moving: existing connections stay open but nothing is forwarded in either
   * direction (reads stall, and writes stall once the socket buffers fill); new connections are
   * accepted but not forwarded. Turning it off delivers what was held back, as a healed network
   * would.
   */
  public void blackhole(boolean on) {
    synchronized (gate) {
      blackholed = on;
      downstreamAllowance = -1;
      gate.notifyAll();
    }
  }

  /**
   * Forwards at most {@code bytes} more bytes from the server to the clients (all connections
   * together), then black-holes as {@link #blackhole(boolean) blackhole(true)} does, in the middle
   * of whatever message is under way. This is how a path dies part-way through a large message,
   * which a plain black hole rarely hits because the socket buffers already hold the whole message.
   * {@code blackhole(false)} heals it.
   */
  public void blackholeAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
    synchronized (gate) {
      downstreamAllowance = bytes;
      if (bytes == 0) {
        blackholed = true;
      }
      gate.notifyAll();
    }
  }

  /**
   * From now on, in the server-to-client direction, replaces the byte {@code delta} bytes from the
   * start of each of the next {@code times} occurrences of {@code marker} with {@code replacement}:
   * what a faulty path, middlebox or server does to bytes, aimed at the message a test chooses
   * (e.g. a row value it writes as the marker, and a negative delta that reaches that row's message
   * type byte). Replaces any corruption armed before. See {@link #corruptionsDone()}.
   */
  public void corruptDownstream(byte[] marker, int delta, byte replacement, int times) {
    corruption = new DownstreamCorruption(marker, delta, replacement, times);
  }

  /** How many bytes the armed {@link #corruptDownstream} has replaced so far (0 when none). */
  public int corruptionsDone() {
    DownstreamCorruption c = corruption;
    return c == null ? 0 : c.done();
  }

  /**
   * True while bytes are held back: after {@code blackhole(true)}, or once a {@link
   * #blackholeAfter} allowance ran out.
   */
  public boolean isBlackholed() {
    synchronized (gate) {
      return blackholed;
    }
  }

  /**
   * How many of {@code n} server-to-client bytes may be forwarded now. When an armed allowance runs
   * out, the proxy black-holes from that byte on.
   */
  private int takeDownstreamAllowance(int n) {
    synchronized (gate) {
      if (downstreamAllowance < 0) {
        return n;
      }
      int pass = (int) Math.min(n, downstreamAllowance);
      downstreamAllowance -= pass;
      if (downstreamAllowance == 0) {
        downstreamAllowance = -1;
        blackholed = true;
      }
      return pass;
    }
  }

  /**
   * While on, new connections are refused (the listener is closed, so clients get "connection
   * refused"); existing connections are untouched. Turning it off listens on the same port again.
   *
   * <p>Turning it on returns only once the kernel has really stopped listening. Closing a {@link
   * ServerSocket} while a thread is blocked in {@code accept()} does not release the kernel socket
   * at once: the blocked system call holds it until that thread has been signalled and has run,
   * which on a loaded machine takes a while. Until then the socket still listens, completes
   * handshakes, and {@code accept()} may even return a connection made after {@code close()}. So
   * this waits for the accept thread to end, and the accept loop resets any connection its listener
   * accepted after it was given up.
   */
  public void refuse(boolean on) {
    if (on) {
      ServerSocket given;
      Thread acceptor;
      synchronized (gate) {
        if (closed || listener == null) {
          return;
        }
        given = listener;
        acceptor = acceptThread;
        listener = null;
        acceptThread = null;
      }
      closeQuietly(given);
      awaitEnd(acceptor);
      return;
    }
    synchronized (gate) {
      if (closed || listener != null) {
        return;
      }
      try {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        listener = ss;
        acceptThread = spawn(name + "-accept", () -> acceptLoop(ss));
      } catch (IOException e) {
        throw new UncheckedIOException("could not listen on port " + port + " again", e);
      }
    }
  }

  /**
   * New connections go to {@code host:port} from now on; open connections stay with the old server
   * (cut them with {@link #cutAll()} to move every client over), as when a DNS name or a virtual IP
   * moves.
   */
  public void retarget(String host, int port) {
    target = InetSocketAddress.createUnresolved(Objects.requireNonNull(host), port);
    LOG.info("{}: new connections now go to {}:{}", name, host, port);
  }

  private void awaitEnd(Thread t) {
    if (t == null) {
      return;
    }
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.warn("{}: accept thread still running 5 s after its listener was closed", name);
    }
  }

  /** Delays every forwarded chunk, in both directions, by {@code delay} (zero turns it off). */
  public void latency(Duration delay) {
    synchronized (gate) {
      latencyNanos = Math.max(0, delay.toNanos());
      gate.notifyAll();
    }
  }

  /** Closes the listener, resets every connection and waits for all proxy threads to end. */
  @Override
  public void close() {
    synchronized (gate) {
      if (closed) {
        return;
      }
      closed = true;
      if (listener != null) {
        closeQuietly(listener);
        listener = null;
        acceptThread = null;
      }
      gate.notifyAll();
    }
    cutAll();
    // Loop rather than join one snapshot: a pump may have been spawned while we were cutting; it
    // finds its
    // sockets closed and ends at once, but it must still be gone before close() returns.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!threads.isEmpty() && System.nanoTime() < deadline) {
      cutAll();
      for (Thread t : new ArrayList<>(threads)) {
        try {
          t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    if (!threads.isEmpty()) {
      LOG.warn("{}: threads still running 5 s after close(): {}", name, threads);
    }
  }

  @Override
  public String toString() {
    return name + " -> " + target.getHostString() + ":" + target.getPort();
  }

  // ---------------------------------------------------------------- internals

  private void acceptLoop(ServerSocket ss) {
    while (true) {
      Socket client;
      try {
        client = ss.accept();
      } catch (IOException e) {
        return; // listener closed by close() or refuse(true)
      }
      Link link = new Link(client, linkIds.incrementAndGet());
      links.add(link);
      boolean current;
      synchronized (gate) {
        current = !closed && listener == ss;
      }
      if (!current) {
        // Accepted after refuse(true) or close() gave this listener up (see refuse): reset it, as
        // the
        // refusal promises. With close() it may also have missed the sweep of the set.
        LOG.debug("{}: reset connection {}, accepted after its listener was closed", name, link.id);
        link.abort();
        return;
      }
      spawn(name + "-conn-" + link.id + "-up", link::run);
    }
  }

  private Thread spawn(String threadName, Runnable body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } finally {
                threads.remove(Thread.currentThread());
              }
            },
            threadName);
    t.setDaemon(true);
    threads.add(t);
    t.start();
    return t;
  }

  /**
   * Waits while the proxy is blackholed, then for the configured latency. Returns false if the link
   * was cut or the proxy closed meanwhile.
   */
  private boolean awaitPassage(Link link) {
    synchronized (gate) {
      try {
        while (blackholed && !closed && !link.aborted) {
          gate.wait();
        }
        long deadline = System.nanoTime() + latencyNanos;
        long remaining;
        while (!closed && !link.aborted && (remaining = deadline - System.nanoTime()) > 0) {
          gate.wait(Math.max(1, remaining / 1_000_000), 0);
        }
        return !closed && !link.aborted;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing is all we wanted
    }
  }

  /** One client connection and its upstream twin. */
  private final class Link {
    final int id;
    final Socket client;
    final Socket upstream = new Socket();
    volatile boolean aborted;
    private final AtomicInteger pumpsLeft = new AtomicInteger(2);

    Link(Socket client, int id) {
      this.client = client;
      this.id = id;
    }

    /**
     * Runs on its own thread: connect upstream (once the network is "up"), then pump client to
     * server.
     */
    void run() {
      if (!awaitPassage(this)) {
        abort();
        return;
      }
      InetSocketAddress to = target;
      try {
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        upstream.connect(
            new InetSocketAddress(to.getHostString(), to.getPort()), CONNECT_TIMEOUT_MS);
      } catch (IOException e) {
        LOG.debug(
            "{}: connection {} could not reach {}:{}: {}",
            name,
            id,
            to.getHostString(),
            to.getPort(),
            e.toString());
        abort();
        return;
      }
      spawn(name + "-conn-" + id + "-down", () -> pump(upstream, client, true));
      pump(client, upstream, false);
    }

    private void pump(Socket from, Socket to, boolean downstream) {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int n = in.read(buf);
          if (n < 0) {
            // Pass the orderly half-close on; the other direction may still have bytes to deliver.
            to.shutdownOutput();
            break;
          }
          if (!awaitPassage(this)) {
            break;
          }
          DownstreamCorruption c = corruption;
          if (downstream && c != null) {
            c.apply(buf, n);
          }
          int pass = downstream ? takeDownstreamAllowance(n) : n;
          out.write(buf, 0, pass);
          out.flush();
          if (pass < n) {
            // The allowance ran out inside this chunk: the rest waits for the black hole to heal.
            if (!awaitPassage(this)) {
              break;
            }
            out.write(buf, pass, n - pass);
            out.flush();
          }
        }
      } catch (IOException e) {
        // A reset or close on one side: reset the other side too, as a broken path would.
        abort();
      } finally {
        if (pumpsLeft.decrementAndGet() == 0) {
          closeQuietly(client);
          closeQuietly(upstream);
          links.remove(this);
        }
      }
    }

    /**
     * Closes both sockets with SO_LINGER 0 (RST) and wakes this link's threads wherever they wait.
     */
    void abort() {
      aborted = true;
      links.remove(this);
      for (Socket s : new Socket[] {client, upstream}) {
        try {
          s.setSoLinger(true, 0);
        } catch (SocketException ignored) {
          // not connected (yet) or already closed: a plain close is all there is
        }
        closeQuietly(s);
      }
      synchronized (gate) {
        gate.notifyAll();
      }
    }
  }
}
