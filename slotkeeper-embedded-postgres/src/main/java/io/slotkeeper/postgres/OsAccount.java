package io.slotkeeper.postgres;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which OS account runs the server. PostgreSQL refuses to start as root, so a root JVM hands the
 * files to the {@code postgres} account and runs every tool through runuser; any other JVM runs
 * them directly as itself.
 */
final class OsAccount {

  static final String POSTGRES = "postgres";

  private final boolean switchUser;
  private final UserPrincipal user;
  private final GroupPrincipal group;
  private final String runuser;

  private OsAccount(boolean switchUser, UserPrincipal user, GroupPrincipal group, String runuser) {
    this.switchUser = switchUser;
    this.user = user;
    this.group = group;
    this.runuser = runuser;
  }

  static OsAccount detect() {
    if (!isRoot()) {
      return new OsAccount(false, null, null, null);
    }
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    UserPrincipal user;
    try {
      user = lookup.lookupPrincipalByName(POSTGRES);
    } catch (UserPrincipalNotFoundException e) {
      throw new PostgresServerException(
          "This JVM runs as root, and PostgreSQL refuses to run as root. "
              + "PostgresServer runs the server as the OS account 'postgres', which does not exist here. "
              + "Create it with `useradd --system postgres`, run as a non-root user, or (tests) use "
              + "-Dslotkeeper.pg.mode=docker.");
    } catch (IOException e) {
      throw new PostgresServerException(
          "could not look up the OS account 'postgres': " + e.getMessage(), e);
    }
    GroupPrincipal group = null;
    try {
      group = lookup.lookupPrincipalByGroupName(POSTGRES);
    } catch (IOException e) {
      // Only the owner matters to PostgreSQL; a missing group of the same name is harmless.
    }
    return new OsAccount(true, user, group, findRunuser());
  }

  private static boolean isRoot() {
    try {
      // /proc/self belongs to the uid of the process looking at it.
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return uid instanceof Integer i && i == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static String findRunuser() {
    for (String candidate :
        List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "runuser";
  }

  boolean switchesUser() {
    return switchUser;
  }

  /** The command line that runs {@code command} as the server's account. */
  List<String> wrap(List<String> command) {
    if (!switchUser) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(command.size() + 4);
    wrapped.add(runuser);
    wrapped.add("-u");
    wrapped.add(POSTGRES);
    wrapped.add("--");
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * Makes a file or directory we created belong to the server's account (a no-op when we are that
   * account).
   */
  void own(Path path) {
    if (!switchUser) {
      return;
    }
    try {
      PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
      view.setOwner(user);
      if (group != null) {
        view.setGroup(group);
      }
    } catch (IOException e) {
      throw new PostgresServerException(
          "could not chown " + path + " to " + POSTGRES + ": " + e.getMessage(), e);
    }
  }
}
