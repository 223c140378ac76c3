package io.slotkeeper.cli;

import io.slotkeeper.ArchiveProgress;
import io.slotkeeper.BackfillProgress;
import io.slotkeeper.ConnectedServer;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A small HTTP endpoint for orchestrators and monitoring, on {@link HttpTransport} (bounded by
 * {@link HttpLimits}):
 *
 * <ul>
 *   <li>{@code GET /}: the status page ({@link StatusPage}), plain HTML whose script reads the
 *       endpoints below; it holds no data itself, so it is served without the token.
 *   <li>{@code GET /status/history}: the last minutes of lag and rate samples ({@link
 *       StatusHistory}), for the page's chart.
 *   <li>{@code GET /status}: JSON with level, reason, since and progress; while STARTING and
 *       waiting, {@code waiting} (what for, in fields); when FAILED, {@code failure} (kind,
 *       problem, remediation).
 *   <li>{@code GET /metrics}: Prometheus text format.
 *   <li>{@code GET /ready}: 200 while the stream is ACTIVE, 503 otherwise (a readiness probe).
 *   <li>{@code GET /live}: 200 while the process and its actor system run, 503 once the actor
 *       system has terminated (a liveness probe: restarting the process is then the fix).
 * </ul>
 *
 * With a token ({@link HttpToken}), {@code /status}, {@code /status/history} and {@code /metrics}
 * answer only requests carrying {@code Authorization: Bearer TOKEN}; the probes stay open, as
 * orchestrators call them without credentials, and then say only the level.
 */
final class HttpStatusServer implements AutoCloseable {

  /** What the endpoints report; read on the server's threads. */
  interface Probe {
    String slot();

    /** True while the actor system runs (the process is alive if it can answer at all). */
    boolean live();

    SourceStatus status();

    SourceProgress progress();

    long rowsWritten();

    double rowsPerSecond();

    /** The archiver's own figures (`slotkeeper archive`); empty for a logical stream. */
    default Optional<ArchiveProgress> archive() {
      return Optional.empty();
    }
  }

  /** The values of pg_replication_slots.wal_status, each a series of slotkeeper_wal_status. */
  static final List<String> WAL_STATUSES = List.of("reserved", "extended", "unreserved", "lost");

  /** The paths that carry the source's data, and so need the token when one is set. */
  private static final Set<String> GUARDED = Set.of("/status", "/status/history", "/metrics");

  private final HttpTransport transport;
  private final StatusHistory history;

  private HttpStatusServer(HttpTransport transport, StatusHistory history) {
    this.transport = transport;
    this.history = history;
  }

  /**
   * Parses "HOST:PORT", "[v6]:PORT" or ":PORT" / "PORT" (loopback only); usage error when
   * malformed.
   */
  static InetSocketAddress parseAddress(String spec) {
    String s = spec.trim();
    int colon = s.lastIndexOf(':');
    String host = colon < 0 ? "" : s.substring(0, colon);
    String port = colon < 0 ? s : s.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 0 || p > 65535 || host.contains(":") && !s.contains("[")) {
      throw CliException.usage(
          "malformed --http address '" + spec + "'",
          "use HOST:PORT, e.g. --http 127.0.0.1:8080 (0.0.0.0:8080 for every interface)");
    }
    // Without a host, listen on loopback only: status pages should not be public by accident.
    return new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, p);
  }

  static HttpStatusServer start(InetSocketAddress address, Probe probe) {
    return start(address, probe, Optional.empty(), HttpLimits.DEFAULT);
  }

  static HttpStatusServer start(
      InetSocketAddress address, Probe probe, Optional<HttpToken> token, HttpLimits limits) {
    return start(address, probe, token, limits, null);
  }

  /** With {@code tls} null, plain HTTP; else HTTPS with that context ({@link HttpTls}). */
  static HttpStatusServer start(
      InetSocketAddress address,
      Probe probe,
      Optional<HttpToken> token,
      HttpLimits limits,
      javax.net.ssl.SSLContext tls) {
    StatusHistory history = StatusHistory.start(probe, System::currentTimeMillis);
    try {
      return new HttpStatusServer(
          StatusRoutes.listen(address, limits, tls, req -> route(req, probe, token, history)),
          history);
    } catch (CliException e) {
      history.close();
      throw e;
    }
  }

  private static HttpTransport.Response route(
      HttpTransport.Request req, Probe probe, Optional<HttpToken> token, StatusHistory history) {
    HttpTransport.Response refused = StatusRoutes.refused(req, GUARDED, token);
    if (refused != null) {
      return refused;
    }
    return switch (req.path()) {
      case "/", "/index.html" -> StatusPage.response();
      case "/status/history" ->
          new HttpTransport.Response(
              200, "application/json", Json.write(history.json()) + "\n", Map.of());
      case "/status" ->
          new HttpTransport.Response(
              200, "application/json", Json.write(statusJson(probe)) + "\n", Map.of());
      case "/metrics" ->
          new HttpTransport.Response(
              200, "text/plain; version=0.0.4; charset=utf-8", metrics(probe), Map.of());
      case "/ready" -> {
        SourceStatus s = probe.status();
        boolean ready = s.level() == StatusLevel.ACTIVE;
        // The reason may name hosts and roles: only for those who may read /status.
        boolean detail = token.isEmpty() && !s.reason().isEmpty();
        yield HttpTransport.Response.text(
            ready ? 200 : 503, s.level() + (detail ? ": " + s.reason() : "") + "\n");
      }
      case "/live" -> StatusRoutes.live(probe.live());
      default -> StatusRoutes.notFound();
    };
  }

  InetSocketAddress address() {
    return transport.address();
  }

  static Map<String, Object> statusJson(Probe probe) {
    SourceStatus s = probe.status();
    SourceProgress p = probe.progress();
    Map<String, Object> progress = new LinkedHashMap<>();
    progress.put("received_lsn", p.receivedLsn().toString());
    progress.put("confirmed_lsn", p.confirmedLsn().toString());
    progress.put("lag_bytes", StatusReporter.lagBytes(p));
    progress.put("reconnects", p.reconnects());
    progress.put("retained_wal_bytes", p.retainedWalBytes());
    progress.put("server_lag_bytes", p.lagBytes());
    progress.put("safe_wal_size_bytes", p.safeWalSizeBytes());
    progress.put("wal_status", p.walStatus());
    progress.put("heal_attempts", p.healAttempts());
    progress.put("delivered_envelopes", p.deliveredEnvelopes());
    progress.put("acknowledged_transactions", p.acknowledgedTransactions());
    progress.put("unacknowledged_units", p.unacknowledgedUnits());
    progress.put("rows_written", probe.rowsWritten());
    progress.put("rows_per_second", probe.rowsPerSecond());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("slot", probe.slot());
    m.put("level", s.level().name());
    m.put("reason", s.reason());
    m.put("since", s.since().toString());
    s.waiting().ifPresent(w -> m.put("waiting", waitingJson(w)));
    s.error().ifPresent(e -> m.put("failure", failureJson(e)));
    m.put("server", p.server().map(HttpStatusServer::serverJson).orElse(null));
    m.put("progress", progress);
    m.put("snapshot", snapshotJson(p.snapshot()));
    m.put("backfill", backfillJson(p.backfill()));
    probe.archive().ifPresent(a -> m.put("archive", archiveJson(a)));
    return m;
  }

  /** The archiver's positions and figures (issue 14's list). */
  static Map<String, Object> archiveJson(ArchiveProgress a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("flushed_lsn", a.flushedLsn().toString());
    m.put("written_lsn", a.writtenLsn().toString());
    m.put("received_lsn", a.receivedLsn().toString());
    m.put("server_wal_end", a.serverWalEnd().toString());
    m.put("lag_bytes", a.lagBytes());
    m.put("timeline", a.timeline());
    m.put("current_segment", a.currentSegment());
    m.put("segments_completed", a.segmentsCompleted());
    m.put("bytes_written", a.bytesWritten());
    m.put("bytes_per_second", Math.round(a.bytesPerSecond()));
    m.put("start", a.start());
    return m;
  }

  /** The initial snapshot's figures ({@code state} none when this run took none). */
  static Map<String, Object> snapshotJson(SnapshotProgress sp) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", sp.state().name().toLowerCase(Locale.ROOT));
    m.put("table", sp.table());
    m.put("chunks", sp.chunks());
    m.put("chunks_estimated", sp.chunksEstimated());
    m.put("tables_done", sp.tablesDone());
    m.put("tables_total", sp.tablesTotal());
    m.put("rows", sp.rows());
    m.put("elapsed_ms", sp.elapsed().toMillis());
    m.put("skipped", sp.skipped());
    return m;
  }

  /** The online backfill's figures ({@code state} none when none was asked for or resumed). */
  static Map<String, Object> backfillJson(BackfillProgress b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", b.state().name().toLowerCase(Locale.ROOT));
    m.put("table", b.table());
    m.put("chunks", b.chunks());
    m.put("chunks_estimated", b.chunksEstimated());
    m.put("rows", b.rows());
    m.put("rows_from_stream", b.rowsFromStream());
    m.put("queued", b.queued());
    m.put("elapsed_ms", b.elapsed().toMillis());
    m.put("ended", b.ended());
    return m;
  }

  /**
   * The server the latest connection reached: after a failover with a multi-host URL, which host it
   * picked, and the timeline the promotion started.
   */
  static Map<String, Object> serverJson(ConnectedServer server) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", server.host());
    m.put("port", server.port());
    m.put("system_identifier", server.systemIdentifier());
    m.put("timeline", server.timeline());
    m.put("role", server.standby() ? "standby" : "primary");
    return m;
  }

  /** What the source waits for, from the status's fields (the reason says it in words). */
  static Map<String, Object> waitingJson(Waiting w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", w.kind().name().toLowerCase(Locale.ROOT));
    if (w instanceof Waiting.CreationBlocked c) {
      m.put("blocker_pids", c.blockerPids());
      Map<String, Object> heal = new LinkedHashMap<>();
      heal.put("attempts", c.heal().attempts());
      heal.put("succeeded", c.heal().succeeded());
      heal.put("unavailable", c.heal().unavailable());
      heal.put("failed", c.heal().failed());
      m.put("heal", heal);
      m.put("waited_ms", c.waited().toMillis());
      m.put("waits_for_primary", c.waitsForPrimary());
      m.put("heal_needs_setting", c.healNeedsSetting().orElse(null));
    } else if (w instanceof Waiting.SlotBusy b) {
      m.put("holder_pid", b.holderPid().isPresent() ? b.holderPid().getAsInt() : null);
      m.put("application_name", b.applicationName().orElse(null));
      m.put("next_retry_ms", b.nextRetry().toMillis());
    } else if (w instanceof Waiting.Reconnecting r) {
      m.put("cause", r.cause());
      m.put("next_retry_ms", r.nextRetry().toMillis());
    }
    return m;
  }

  /** Why the source failed, from the failure's fields. */
  static Map<String, Object> failureJson(SourceFailedException e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", e.kind().name().toLowerCase(Locale.ROOT));
    m.put("problem", e.problem());
    m.put("remediation", e.remediation());
    e.slotConfirmedLsn().ifPresent(lsn -> m.put("slot_confirmed_lsn", lsn.toString()));
    return m;
  }

  static String metrics(Probe probe) {
    SourceStatus s = probe.status();
    SourceProgress p = probe.progress();
    String label = "{slot=\"" + probe.slot().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    StringBuilder sb = new StringBuilder(1024);
    metric(
        sb,
        "slotkeeper_received_lsn",
        "gauge",
        "Furthest WAL position received from the server, in bytes.",
        label,
        Long.toUnsignedString(p.receivedLsn().value()));
    metric(
        sb,
        "slotkeeper_confirmed_lsn",
        "gauge",
        "WAL position the slot is confirmed to (written and flushed).",
        label,
        Long.toUnsignedString(p.confirmedLsn().value()));
    metric(
        sb,
        "slotkeeper_lag_bytes",
        "gauge",
        "Bytes between the received and the confirmed position.",
        label,
        Long.toString(StatusReporter.lagBytes(p)));
    metric(
        sb,
        "slotkeeper_reconnects_total",
        "counter",
        "Connections that ended and were started again.",
        label,
        Long.toString(p.reconnects()));
    metric(
        sb,
        "slotkeeper_delivered_envelopes_total",
        "counter",
        "Envelopes handed to the output, replays excluded.",
        label,
        Long.toString(p.deliveredEnvelopes()));
    metric(
        sb,
        "slotkeeper_acknowledged_transactions_total",
        "counter",
        "Transactions written, flushed and acknowledged.",
        label,
        Long.toString(p.acknowledgedTransactions()));
    metric(
        sb,
        "slotkeeper_unacknowledged_units",
        "gauge",
        "Transactions and standalone messages delivered and not yet acknowledged.",
        label,
        Long.toString(p.unacknowledgedUnits()));
    // Server-side figures, read by the engine every retention.check-interval (-1 until first read).
    metric(
        sb,
        "slotkeeper_retained_wal_bytes",
        "gauge",
        "WAL the server keeps for the slot (current LSN - restart_lsn); -1 until read.",
        label,
        Long.toString(p.retainedWalBytes()));
    metric(
        sb,
        "slotkeeper_server_lag_bytes",
        "gauge",
        "WAL the slot has not confirmed yet (current LSN - confirmed_flush_lsn); -1 until read.",
        label,
        Long.toString(p.lagBytes()));
    metric(
        sb,
        "slotkeeper_safe_wal_size_bytes",
        "gauge",
        "WAL that can still be written before the slot is invalidated; -1 when unlimited or unknown.",
        label,
        Long.toString(p.safeWalSizeBytes()));
    metric(
        sb,
        "slotkeeper_heal_attempts_total",
        "counter",
        "Blocked slot creations healed with pg_log_standby_snapshot (attempts).",
        label,
        Long.toString(p.healAttempts()));
    metric(
        sb,
        "slotkeeper_heal_unavailable_total",
        "counter",
        "Heal attempts that could not run (server before 16, or no EXECUTE).",
        label,
        Long.toString(p.healUnavailable()));
    metric(
        sb,
        "slotkeeper_rows_written_total",
        "counter",
        "Insert, update and delete lines written.",
        label,
        Long.toString(probe.rowsWritten()));
    metric(
        sb,
        "slotkeeper_rows_per_second",
        "gauge",
        "Rows written per second over the last second.",
        label,
        String.format(Locale.ROOT, "%.3f", probe.rowsPerSecond()));
    metric(
        sb,
        "slotkeeper_server_lag_seconds",
        "gauge",
        "The server's flush lag for this walsender (pg_stat_replication.flush_lag); -1 when unknown.",
        label,
        p.lagMillis() < 0 ? "-1" : String.format(Locale.ROOT, "%.3f", p.lagMillis() / 1000.0));
    SnapshotProgress sp = p.snapshot();
    metric(
        sb,
        "slotkeeper_snapshot_rows_total",
        "counter",
        "Rows of the initial snapshot handed to the output so far.",
        label,
        Long.toString(sp.rows()));
    metric(
        sb,
        "slotkeeper_snapshot_tables_done",
        "gauge",
        "Tables of the initial snapshot read whole (skipped ones included).",
        label,
        Integer.toString(sp.tablesDone()));
    metric(
        sb,
        "slotkeeper_snapshot_tables_total",
        "gauge",
        "Tables the initial snapshot reads.",
        label,
        Integer.toString(sp.tablesTotal()));
    metric(
        sb,
        "slotkeeper_snapshot_tables_skipped",
        "gauge",
        "Tables the initial snapshot skipped (dropped before they were read).",
        label,
        Integer.toString(sp.skipped().size()));
    metric(
        sb,
        "slotkeeper_snapshot_elapsed_seconds",
        "gauge",
        "Time the initial snapshot has taken (until it ended, once done).",
        label,
        String.format(Locale.ROOT, "%.3f", sp.elapsed().toMillis() / 1000.0));
    sb.append(
            "# HELP slotkeeper_snapshot_state The initial snapshot's state (1 for the current"
                + " one).\n")
        .append("# TYPE slotkeeper_snapshot_state gauge\n");
    for (SnapshotProgress.State st : SnapshotProgress.State.values()) {
      sb.append("slotkeeper_snapshot_state{slot=")
          .append(label, 6, label.length() - 1)
          .append(",state=\"")
          .append(st.name().toLowerCase(Locale.ROOT))
          .append("\"} ")
          .append(st == sp.state() ? 1 : 0)
          .append('\n');
    }
    if (probe.archive().isPresent()) {
      ArchiveProgress a = probe.archive().get();
      metric(
          sb,
          "slotkeeper_archive_flushed_lsn",
          "gauge",
          "WAL position fsynced in the archive (the flush position reported to the server).",
          label,
          Long.toUnsignedString(a.flushedLsn().value()));
      metric(
          sb,
          "slotkeeper_archive_lag_bytes",
          "gauge",
          "WAL the server has (its last keepalive's WAL end) that the archive has not fsynced; -1"
              + " while unknown.",
          label,
          Long.toString(a.lagBytes()));
      metric(
          sb,
          "slotkeeper_archive_timeline",
          "gauge",
          "Timeline being archived.",
          label,
          Integer.toString(a.timeline()));
      metric(
          sb,
          "slotkeeper_archive_segments_completed_total",
          "counter",
          "Segments completed (renamed from .partial) by this process.",
          label,
          Long.toString(a.segmentsCompleted()));
      metric(
          sb,
          "slotkeeper_archive_bytes_written_total",
          "counter",
          "WAL bytes written to the archive by this process.",
          label,
          Long.toString(a.bytesWritten()));
      metric(
          sb,
          "slotkeeper_archive_bytes_per_second",
          "gauge",
          "WAL bytes written per second over the last five seconds.",
          label,
          String.format(Locale.ROOT, "%.1f", a.bytesPerSecond()));
    }
    sb.append(
            "# HELP slotkeeper_wal_status The slot's wal_status (1 for the current one; all 0 until"
                + " read).\n")
        .append("# TYPE slotkeeper_wal_status gauge\n");
    for (String w : WAL_STATUSES) {
      sb.append("slotkeeper_wal_status{slot=")
          .append(label, 6, label.length() - 1)
          .append(",status=\"")
          .append(w)
          .append("\"} ")
          .append(w.equals(p.walStatus()) ? 1 : 0)
          .append('\n');
    }
    sb.append("# HELP slotkeeper_status Current status level (1 for the level the source is at).\n")
        .append("# TYPE slotkeeper_status gauge\n");
    for (StatusLevel l : StatusLevel.values()) {
      sb.append("slotkeeper_status{slot=")
          .append(label, 6, label.length() - 1)
          .append(",level=\"")
          .append(l.name())
          .append("\"} ")
          .append(l == s.level() ? 1 : 0)
          .append('\n');
    }
    return sb.toString();
  }

  private static void metric(
      StringBuilder sb, String name, String type, String help, String label, String value) {
    sb.append("# HELP ")
        .append(name)
        .append(' ')
        .append(help)
        .append('\n')
        .append("# TYPE ")
        .append(name)
        .append(' ')
        .append(type)
        .append('\n')
        .append(name)
        .append(label)
        .append(' ')
        .append(value)
        .append('\n');
  }

  @Override
  public void close() {
    transport.close();
    history.close();
  }
}
