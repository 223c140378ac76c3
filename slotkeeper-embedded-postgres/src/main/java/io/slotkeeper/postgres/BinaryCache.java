package io.slotkeeper.postgres;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks the PostgreSQL binaries shipped on the classpath into a directory shared by every JVM on
 * the machine.
 *
 * <p>The directory name carries a digest of the archive, so a newer patch release of the same major
 * version gets its own directory instead of being mistaken for the old one. Concurrent JVMs
 * (parallel Maven modules, a test run next to the demo) serialize on a file lock, and each
 * extraction happens in a private directory that is renamed into place atomically, so nobody ever
 * sees a half-written installation.
 */
final class BinaryCache {

  static final String RESOURCE_PATTERN =
      "io/slotkeeper/postgres/binaries/%d/postgres-linux-x86_64.txz";
  private static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwxr-xr-x");

  /** Per JVM: digesting 15 MB on every server start would be wasted time. */
  private static final Map<Integer, Path> RESOLVED = new HashMap<>();

  private BinaryCache() {}

  static boolean platformSupported() {
    String os = System.getProperty("os.name", "").toLowerCase();
    String arch = System.getProperty("os.arch", "").toLowerCase();
    return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  static URL archive(int major) {
    return BinaryCache.class.getClassLoader().getResource(String.format(RESOURCE_PATTERN, major));
  }

  static List<Integer> availableVersions() {
    List<Integer> versions = new ArrayList<>();
    for (int v = 9; v <= 40; v++) {
      if (archive(v) != null) {
        versions.add(v);
      }
    }
    return versions;
  }

  /**
   * The installation directory (with bin/, lib/, share/) for a major version, unpacking it first if
   * needed.
   */
  static synchronized Path install(int major) {
    Path known = RESOLVED.get(major);
    if (known != null && Files.isExecutable(known.resolve("bin/postgres"))) {
      return known;
    }
    URL archive = archive(major);
    if (archive == null) {
      throw new PostgresServerException(
          "No embedded PostgreSQL binaries for major version "
              + major
              + " on the classpath; available: "
              + availableVersions());
    }
    try {
      String name = major + "-" + digest(archive);
      Path base = cacheBase();
      Path target = base.resolve(name);
      if (!Files.isDirectory(target)) {
        if (!Files.isWritable(base)) {
          // Another account made the shared directory and has not unpacked this version: keep a
          // private cache rather than failing.
          base = base.resolveSibling(base.getFileName() + "-" + System.getProperty("user.name"));
          Files.createDirectories(base);
          target = base.resolve(name);
        }
        if (!Files.isDirectory(target)) {
          extractOnce(archive, base, target);
        }
      }
      RESOLVED.put(major, target);
      return target;
    } catch (IOException e) {
      throw new PostgresServerException(
          "could not unpack PostgreSQL " + major + " binaries: " + e, e);
    }
  }

  private static Path cacheBase() throws IOException {
    String configured = System.getProperty("slotkeeper.pg.cache-dir");
    Path base =
        configured != null
            ? Path.of(configured)
            : Path.of(System.getProperty("java.io.tmpdir"), "slotkeeper-pg-binaries");
    Files.createDirectories(base);
    if (Files.isWritable(base)) {
      try {
        // When root unpacks, the postgres account still has to reach the binaries through this
        // directory.
        Files.setPosixFilePermissions(base, DIR_MODE);
      } catch (IOException e) {
        // writable but not ours (e.g. a shared 1777 directory): its mode is not ours to change
      }
    }
    return base;
  }

  private static void extractOnce(URL archive, Path base, Path target) throws IOException {
    Path lockFile = base.resolve(target.getFileName() + ".lock");
    try (FileChannel channel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      // Between JVMs; threads of this JVM are already serialized by install()'s monitor, which
      // matters
      // because FileLock is per JVM and would throw if taken twice.
      FileLock lock = channel.lock();
      try {
        if (Files.isDirectory(target)) {
          return; // another JVM finished while we waited for the lock
        }
        Path staging = Files.createTempDirectory(base, target.getFileName() + ".extracting-");
        try {
          extract(archive, staging);
          try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
          } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            if (!Files.isDirectory(target)) {
              throw e;
            }
          }
        } finally {
          deleteTree(staging);
        }
      } finally {
        lock.release();
      }
    }
  }

  private static void extract(URL archive, Path dest) throws IOException {
    try (InputStream raw = new BufferedInputStream(archive.openStream(), 1 << 16);
        XZCompressorInputStream xz = new XZCompressorInputStream(raw);
        TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = dest.resolve(entry.getName()).normalize();
        if (!path.startsWith(dest)) {
          throw new IOException("archive entry escapes the target directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          continue;
        }
        Files.createDirectories(path.getParent());
        if (entry.isSymbolicLink()) {
          // lib/libpq.so.5 -> libpq.so.5.17 and friends: the dynamic linker looks for the short
          // names.
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Path existing = dest.resolve(entry.getLinkName()).normalize();
          if (!existing.startsWith(dest)) {
            throw new IOException("hard link escapes the target directory: " + entry.getLinkName());
          }
          Files.createLink(path, existing);
        } else if (entry.isFile()) {
          Files.copy(tar, path);
          Files.setPosixFilePermissions(path, fileMode(entry.getMode()));
        }
      }
    }
    // Directory entries may come before their content or not at all; fix their modes once at the
    // end.
    try (Stream<Path> all = Files.walk(dest)) {
      all.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .forEach(
              p -> {
                try {
                  Files.setPosixFilePermissions(p, DIR_MODE);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  /**
   * Keeps the archive's mode, but makes every file readable by everyone and every owner-executable
   * file executable by everyone: root unpacks, the postgres account runs.
   */
  static Set<PosixFilePermission> fileMode(int mode) {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_READ,
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        perms.add(bits[i]);
      }
    }
    perms.add(PosixFilePermission.OWNER_READ);
    perms.add(PosixFilePermission.GROUP_READ);
    perms.add(PosixFilePermission.OTHERS_READ);
    if (perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
      perms.add(PosixFilePermission.GROUP_EXECUTE);
      perms.add(PosixFilePermission.OTHERS_EXECUTE);
    }
    return perms;
  }

  private static String digest(URL archive) throws IOException {
    try (InputStream in = archive.openStream()) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: a file the server is still writing while it dies may reappear
                }
              });
    } catch (IOException | UncheckedIOException ignored) {
      // best effort, see above
    }
  }
}
