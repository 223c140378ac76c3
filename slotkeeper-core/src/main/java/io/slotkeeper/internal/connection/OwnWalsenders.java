package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The walsenders this source's own connections started, each by PID and backend start time (a PID
 * alone can be reused). One instance per source, shared by its successive ConnectionActors.
 *
 * <p>Why: a walsender waiting inside CREATE_REPLICATION_SLOT waits on a lock, not on its socket, so
 * when our connection dies it lives on and keeps the half-created slot active; so may a streaming
 * walsender behind a black-holed path until wal_sender_timeout. Every reconnect would then be BUSY
 * on our own orphan. A walsender listed here is ours beyond doubt, so the next connection may end
 * it; anyone else's (another process, even one using our application name) is never listed and
 * never touched.
 */
@InternalApi
public final class OwnWalsenders {
  /** A backend, told apart from a later one that got the same PID. */
  record Identity(int pid, String backendStart) {}

  /** Only recent connections can have left an orphan: the first reconnect after one ends it. */
  private static final int KEEP = 16;

  private final Deque<Identity> recent = new ArrayDeque<>();

  synchronized void add(Identity id) {
    if (id.backendStart() == null) {
      return;
    }
    recent.addFirst(id);
    while (recent.size() > KEEP) {
      recent.removeLast();
    }
  }

  synchronized boolean contains(Identity id) {
    return id.backendStart() != null && recent.contains(id);
  }
}
