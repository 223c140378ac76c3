package io.slotkeeper.internal.supervision;

import io.slotkeeper.InternalApi;

/**
 * The SQLSTATEs the engine decides on, by their PostgreSQL names (errcodes.txt). Codes are
 * compared, never message texts, wherever the server gives a code that says enough.
 */
@InternalApi
public final class SqlStates {
  private SqlStates() {}

  /** invalid_password: wrong password, or no password where one is required. */
  static final String INVALID_PASSWORD = "28P01";

  /** invalid_authorization_specification: pg_hba.conf has no line for this connection. */
  static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";

  /** invalid_catalog_name: the database does not exist. */
  static final String INVALID_CATALOG_NAME = "3D000";

  /** insufficient_privilege: a privilege or role attribute (REPLICATION) is missing. */
  public static final String INSUFFICIENT_PRIVILEGE = "42501";

  /** undefined_object: e.g. the replication slot does not exist. */
  static final String UNDEFINED_OBJECT = "42704";

  /** undefined_function: e.g. pg_log_standby_snapshot() before PostgreSQL 16. */
  public static final String UNDEFINED_FUNCTION = "42883";

  /** object_in_use: the replication slot is active for another PID. */
  static final String OBJECT_IN_USE = "55006";

  /** object_not_in_prerequisite_state: wal_level too low, slot invalidated, and similar. */
  public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";

  /** feature_not_supported: e.g. a pgoutput proto_version the server does not speak. */
  static final String FEATURE_NOT_SUPPORTED = "0A000";

  /** Class 08, connection_exception: the connection failed or was lost. */
  static final String CONNECTION_EXCEPTION_CLASS = "08";

  /** Class 57P, operator intervention: admin_shutdown, crash_shutdown, cannot_connect_now, ... */
  static final String OPERATOR_INTERVENTION_CLASS = "57P";

  /** Class 53, insufficient_resources: too many connections, out of memory, disk full. */
  static final String INSUFFICIENT_RESOURCES_CLASS = "53";
}
