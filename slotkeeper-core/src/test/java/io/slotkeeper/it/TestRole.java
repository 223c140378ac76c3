package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;

/**
 * Which role the streaming tests connect as. By default the test server's superuser; with {@code
 * -Dslotkeeper.it.role=least-privilege} (the {@code least-privilege} Failsafe execution of
 * slotkeeper-core, part of {@code mvn verify}) a role that has {@code LOGIN REPLICATION} and {@code
 * SELECT} on the tables of schema {@code public} and nothing else — what the README's server
 * requirements ask for — so the same scenarios prove that nothing more is needed.
 */
record TestRole(String user, String password) {
  static final String PROPERTY = "slotkeeper.it.role";
  static final String LEAST_PRIVILEGE = "least-privilege";
  static final String LP_USER = "slotkeeper_lp";
  private static final String LP_PASSWORD = "lp-Pw-20c7";

  static boolean leastPrivilege() {
    return LEAST_PRIVILEGE.equals(System.getProperty(PROPERTY, ""));
  }

  /** The role for this run on {@code pg}, created there (once) when it is the restricted one. */
  static TestRole on(PostgresServer pg) {
    if (!leastPrivilege()) {
      return new TestRole(pg.superuser(), pg.superuserPassword());
    }
    pg.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '"
            + LP_USER
            + "') THEN CREATE ROLE "
            + LP_USER
            + " LOGIN REPLICATION PASSWORD '"
            + LP_PASSWORD
            + "'; END IF; END $$");
    // Tables the test creates later (as the superuser) are readable too.
    pg.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + LP_USER);
    pg.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO " + LP_USER);
    return new TestRole(LP_USER, LP_PASSWORD);
  }
}
