package io.slotkeeper.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately small HTTP/1.1 server: one request per connection ({@code Connection: close}), no
 * request bodies, every cost bounded by {@link HttpLimits}. The JDK's {@code HttpServer} reads
 * headers without a size or time limit and hands every connection to its executor, so a slow or
 * large request could hold its threads or memory; here the acceptor refuses what the workers cannot
 * take, and a worker gives up on a request after {@code headTimeout}.
 *
 * <p>With TLS, connections are accepted plain and wrapped in the worker, so a handshake (which a
 * slow client can stretch out) never runs on the acceptor; the handshake and the request head
 * together must finish within {@code headTimeout}. Refusals (rate, busy) then close the connection
 * without an answer: an answer would first need a handshake.
 */
final class HttpTransport implements AutoCloseable {

  record Request(String method, String path, Map<String, String> headers) {
    /** A header by its lower-case name, or null. */
    String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }
  }

  record Response(int code, String contentType, String body, Map<String, String> headers) {
    static Response text(int code, String body) {
      return new Response(code, "text/plain; charset=utf-8", body, Map.of());
    }

    Response withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Response(code, contentType, body, h);
    }
  }

  interface Handler {
    Response handle(Request request);
  }

  private final ServerSocket socket;
  private final ThreadPoolExecutor workers;
  private final Thread acceptor;
  private final RateLimiter rate;
  private final HttpLimits limits;
  private final Handler handler;
  private final SSLContext tls;
  private volatile boolean closed;

  private HttpTransport(ServerSocket socket, HttpLimits limits, SSLContext tls, Handler handler) {
    this.socket = socket;
    this.tls = tls;
    this.limits = limits;
    this.handler = handler;
    this.rate = new RateLimiter(limits.requestsPerSecond(), limits.burst());
    AtomicInteger n = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            limits.workers(),
            limits.workers(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(limits.queue()),
            r -> daemon(r, "slotkeeper-http-" + n.incrementAndGet()),
            new ThreadPoolExecutor.AbortPolicy());
    this.acceptor = daemon(this::acceptLoop, "slotkeeper-http-accept");
  }

  static HttpTransport start(InetSocketAddress address, HttpLimits limits, Handler handler)
      throws IOException {
    return start(address, limits, null, handler);
  }

  /** With {@code tls} null, plain HTTP. */
  static HttpTransport start(
      InetSocketAddress address, HttpLimits limits, SSLContext tls, Handler handler)
      throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.setReuseAddress(true);
      // The kernel's accept queue: long enough that a burst reaches the acceptor (which answers
      // what the workers cannot take) instead of having its SYNs dropped and retried a second
      // later.
      s.bind(address, 64);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    HttpTransport t = new HttpTransport(s, limits, tls, handler);
    t.acceptor.start();
    return t;
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket c;
      try {
        c = socket.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      // Both refusals are answered here, without reading the request: a response this small fits
      // the socket's send buffer, so writing it never blocks the acceptor.
      if (!rate.tryAcquire(c.getInetAddress(), System.nanoTime())) {
        refuse(c, Response.text(429, "too many requests\n").withHeader("Retry-After", "1"));
        continue;
      }
      try {
        workers.execute(() -> serve(c));
      } catch (RejectedExecutionException e) {
        refuse(c, Response.text(503, "busy\n").withHeader("Retry-After", "1"));
      }
    }
  }

  private void refuse(Socket c, Response r) {
    try (c) {
      if (tls != null) {
        return; // an answer would need a handshake first; closing is the cheap refusal
      }
      c.setSoTimeout(100);
      write(c.getOutputStream(), "GET", r);
      discardUnread(c);
    } catch (IOException ignored) {
      // the client went away; nothing to tell it
    }
  }

  /**
   * Ends the answer (FIN) and drops what the client sent that was never read: closing a socket with
   * unread input sends a reset, and a reset makes the client's system discard the answer it has not
   * read yet. Only what has already arrived is dropped, so this never waits.
   */
  private static void discardUnread(Socket c) throws IOException {
    c.shutdownOutput();
    InputStream in = c.getInputStream();
    long budget = 64 * 1024;
    int n;
    while (budget > 0 && (n = in.available()) > 0) {
      budget -= in.skip(Math.min(n, budget));
    }
  }

  private void serve(Socket plain) {
    try (plain) {
      long deadline = System.nanoTime() + limits.headTimeout().toNanos();
      Socket c = tls == null ? plain : handshake(plain, deadline);
      String head;
      try {
        head = readHead(c, deadline);
      } catch (HeadTooLarge e) {
        write(c.getOutputStream(), "GET", Response.text(431, "request header too large\n"));
        discardUnread(c);
        return;
      } catch (SocketTimeoutException e) {
        write(c.getOutputStream(), "GET", Response.text(408, "request timeout\n"));
        return;
      }
      if (head == null) {
        return; // closed before a request
      }
      Request req = parse(head);
      Response r;
      if (req == null) {
        r = Response.text(400, "bad request\n");
      } else if (hasBody(req)) {
        // No endpoint takes a body; it is never read, so its size costs nothing.
        r = Response.text(413, "no request body accepted\n");
      } else if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
        r = Response.text(405, "method not allowed\n").withHeader("Allow", "GET, HEAD");
      } else {
        try {
          r = handler.handle(req);
        } catch (RuntimeException e) {
          r = Response.text(500, "internal error\n");
        }
      }
      c.setSoTimeout((int) limits.headTimeout().toMillis());
      write(c.getOutputStream(), req == null ? "GET" : req.method(), r);
      discardUnread(c);
    } catch (IOException ignored) {
      // the client went away or was too slow to read the answer
    }
  }

  /**
   * The server side of a TLS handshake on an accepted connection, within the request's deadline: a
   * timer closes the socket at the deadline, as each read's timeout alone would let a client that
   * trickles bytes stretch the handshake out.
   */
  private Socket handshake(Socket plain, long deadline) throws IOException {
    SSLSocket s =
        (SSLSocket)
            tls.getSocketFactory()
                .createSocket(
                    plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
    s.setUseClientMode(false);
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    s.setSoTimeout((int) left);
    java.util.concurrent.ScheduledFuture<?> guard =
        HandshakeTimer.INSTANCE.schedule(
            () -> {
              try {
                plain.close();
              } catch (IOException ignored) {
                // closing anyway
              }
            },
            left,
            TimeUnit.MILLISECONDS);
    try {
      s.startHandshake();
    } finally {
      guard.cancel(false);
    }
    return s;
  }

  /** One timer thread for every TLS server of the process, started only when TLS is used. */
  private static final class HandshakeTimer {
    static final java.util.concurrent.ScheduledExecutorService INSTANCE =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "slotkeeper-tls-deadline"));
  }

  private static final class HeadTooLarge extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Reads up to the blank line ending the headers, within the size and the deadline. */
  private String readHead(Socket c, long deadline) throws IOException {
    InputStream in = c.getInputStream();
    ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
    byte[] chunk = new byte[512];
    while (true) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new SocketTimeoutException("request head not complete in time");
      }
      c.setSoTimeout((int) Math.max(1, left));
      int n = in.read(chunk, 0, Math.min(chunk.length, limits.maxHeadBytes() + 1 - buf.size()));
      if (n < 0) {
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
      }
      buf.write(chunk, 0, n);
      String s = buf.toString(StandardCharsets.ISO_8859_1);
      int end = s.indexOf("\r\n\r\n");
      if (end < 0) {
        end = s.indexOf("\n\n");
      }
      if (end >= 0) {
        return s.substring(0, end);
      }
      if (buf.size() > limits.maxHeadBytes()) {
        throw new HeadTooLarge();
      }
    }
  }

  static Request parse(String head) {
    String[] lines = head.split("\r?\n");
    String[] first = lines[0].split(" ");
    if (first.length != 3 || !first[2].startsWith("HTTP/1.")) {
      return null;
    }
    String target = first[1];
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        return null;
      }
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    return new Request(first[0], path, headers);
  }

  private static boolean hasBody(Request r) {
    String length = r.header("content-length");
    return r.header("transfer-encoding") != null || length != null && !length.equals("0");
  }

  private static void write(OutputStream out, String method, Response r) throws IOException {
    byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
    StringBuilder h = new StringBuilder(256);
    h.append("HTTP/1.1 ").append(r.code()).append(' ').append(reason(r.code())).append("\r\n");
    h.append("Content-Type: ").append(r.contentType()).append("\r\n");
    h.append("Content-Length: ").append(body.length).append("\r\n");
    h.append("Cache-Control: no-store\r\n");
    h.append("Connection: close\r\n");
    r.headers().forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
    h.append("\r\n");
    out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (!method.equals("HEAD")) {
      out.write(body);
    }
    out.flush();
  }

  private static String reason(int code) {
    return switch (code) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 413 -> "Payload Too Large";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 503 -> "Service Unavailable";
      default -> "Error";
    };
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    workers.shutdownNow();
  }
}
