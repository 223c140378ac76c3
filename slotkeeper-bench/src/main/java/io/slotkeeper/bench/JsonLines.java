package io.slotkeeper.bench;

/**
 * Counts the JSON Lines of a child that writes one line per row change ({@code slotkeeper stream},
 * Debezium with JSON values): every line that starts with '{' is a change (the JVM may print other
 * lines to stdout, e.g. when a flight recording starts). After each chunk that ends on a line
 * boundary the listener hears a commit, so the counter can see its target reached.
 */
final class JsonLines implements ChildProcess.Reader {
  private final Contender.Listener listener;
  private boolean atLineStart = true;
  private boolean jsonLine;

  JsonLines(Contender.Listener listener) {
    this.listener = listener;
  }

  @Override
  public void read(byte[] chunk, int n) {
    for (int i = 0; i < n; i++) {
      byte b = chunk[i];
      if (atLineStart) {
        jsonLine = b == '{';
        atLineStart = false;
      }
      if (b == '\n') {
        if (jsonLine) {
          listener.change('I', 0);
        }
        atLineStart = true;
      }
    }
    if (atLineStart) {
      listener.commit();
    }
  }
}
