package io.slotkeeper.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Where the JSON Lines go. {@link #flush()} is the durability point the program acknowledges after:
 * for stdout the bytes have reached the pipe or terminal; for a file they have reached the disk
 * (fsync), so a crash right after an acknowledgement loses nothing.
 */
abstract class OutputTarget implements AutoCloseable {

  abstract void write(byte[] bytes, int off, int len) throws IOException;

  abstract void flush() throws IOException;

  abstract String describe();

  @Override
  public abstract void close() throws IOException;

  static OutputTarget stdout(PrintStream out) {
    return new OutputTarget() {
      @Override
      void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
        check();
      }

      @Override
      void flush() throws IOException {
        out.flush();
        check();
      }

      // PrintStream swallows IOExceptions (a closed pipe, a full disk); ask for them.
      private void check() throws IOException {
        if (out.checkError()) {
          throw new IOException("stdout is closed or cannot be written");
        }
      }

      @Override
      String describe() {
        return "stdout";
      }

      @Override
      public void close() {
        out.flush();
      }
    };
  }

  /** Appends to {@code path}: a restarted stream continues the same file. */
  static OutputTarget file(Path path) throws IOException {
    FileOutputStream fos = new FileOutputStream(path.toFile(), true);
    return new OutputTarget() {
      @Override
      void write(byte[] bytes, int off, int len) throws IOException {
        fos.write(bytes, off, len);
      }

      @Override
      void flush() throws IOException {
        fos.getFD().sync();
      }

      @Override
      String describe() {
        return path.toString();
      }

      @Override
      public void close() throws IOException {
        fos.close();
      }
    };
  }

  /** Discards everything (the demo without --output). */
  static OutputTarget discard() {
    OutputStream nul = OutputStream.nullOutputStream();
    return new OutputTarget() {
      @Override
      void write(byte[] bytes, int off, int len) throws IOException {
        nul.write(bytes, off, len);
      }

      @Override
      void flush() {}

      @Override
      String describe() {
        return "nowhere";
      }

      @Override
      public void close() {}
    };
  }
}
