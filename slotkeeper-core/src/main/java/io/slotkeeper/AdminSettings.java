package io.slotkeeper;

import java.util.Objects;

/**
 * Where the administrative queries that must run on the primary go when the source server is a
 * standby (the {@code admin} block of reference.conf). Immutable; every {@code withXxx} returns a
 * changed copy. {@link #toString()} masks the password and a {@code password=} in the URL.
 */
public final class AdminSettings {
  private final String primaryUrl;
  private final String primaryUser;
  private final String primaryPassword;

  AdminSettings(String primaryUrl, String primaryUser, String primaryPassword) {
    this.primaryUrl = Objects.requireNonNull(primaryUrl, "primaryUrl");
    this.primaryUser = Objects.requireNonNull(primaryUser, "primaryUser");
    this.primaryPassword = Objects.requireNonNull(primaryPassword, "primaryPassword");
  }

  /** The primary's JDBC URL; empty means the source server itself is the primary. */
  public String primaryUrl() {
    return primaryUrl;
  }

  /** The role on the primary; empty means the source's own role (and password). */
  public String primaryUser() {
    return primaryUser;
  }

  /** That role's password, in clear: hand it to nothing that logs. */
  public String primaryPassword() {
    return primaryPassword;
  }

  public AdminSettings withPrimary(String url, String user, String password) {
    return new AdminSettings(url, user, password);
  }

  @Override
  public String toString() {
    return "AdminSettings(primaryUrl="
        + Redaction.url(primaryUrl)
        + ", primaryUser="
        + primaryUser
        + ", primaryPassword="
        + Redaction.secret(primaryPassword)
        + ")";
  }
}
