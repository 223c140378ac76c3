package io.slotkeeper.internal.supervision;

import io.slotkeeper.InternalApi;

/**
 * The SQLSTATEs the engine and the program decide on, by their PostgreSQL names (errcodes.txt).
 * Codes are compared, never message texts, wherever the server gives a code that says enough. The
 * one home of SQLSTATE codes in this project: public (and internal) so that slotkeeper-cli's checks
 * use the same names; {@code SqlStateLiteralsTest} fails on a code written out anywhere else in
 * main code.
 */
@InternalApi
public final class SqlStates {
  private SqlStates() {}

  /** invalid_password: wrong password, or no password where one is required. */
  public static final String INVALID_PASSWORD = "28P01";

  /** invalid_authorization_specification: pg_hba.conf has no line for this connection. */
  public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";

  /** invalid_catalog_name: the database does not exist. */
  public static final String INVALID_CATALOG_NAME = "3D000";

  /** insufficient_privilege: a privilege or role attribute (REPLICATION) is missing. */
  public static final String INSUFFICIENT_PRIVILEGE = "42501";

  /** undefined_object: e.g. the replication slot does not exist. */
  public static final String UNDEFINED_OBJECT = "42704";

  /** undefined_function: e.g. pg_log_standby_snapshot() before PostgreSQL 16. */
  public static final String UNDEFINED_FUNCTION = "42883";

  /** object_in_use: the replication slot is active for another PID. */
  public static final String OBJECT_IN_USE = "55006";

  /** object_not_in_prerequisite_state: wal_level too low, slot invalidated, and similar. */
  public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";

  /** feature_not_supported: e.g. a pgoutput proto_version the server does not speak. */
  public static final String FEATURE_NOT_SUPPORTED = "0A000";

  /** sqlclient_unable_to_establish_sqlconnection: pgjdbc could not connect at all. */
  public static final String SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION = "08001";

  /** too_many_connections: max_connections (or max_wal_senders) reached. */
  public static final String TOO_MANY_CONNECTIONS = "53300";

  /** configuration_limit_exceeded: e.g. all max_replication_slots are in use. */
  public static final String CONFIGURATION_LIMIT_EXCEEDED = "53400";

  /** duplicate_object: e.g. the replication slot exists already. */
  public static final String DUPLICATE_OBJECT = "42710";

  /** undefined_table: e.g. a table named for a publication does not exist. */
  public static final String UNDEFINED_TABLE = "42P01";

  /** unique_violation: e.g. two sessions creating the same table at once (pg_type's row). */
  public static final String UNIQUE_VIOLATION = "23505";

  /** duplicate_table: CREATE TABLE IF NOT EXISTS raced by another session. */
  public static final String DUPLICATE_TABLE = "42P07";

  /** Class 08, connection_exception: the connection failed or was lost. */
  public static final String CONNECTION_EXCEPTION_CLASS = "08";

  /** Class 57P, operator intervention: admin_shutdown, crash_shutdown, cannot_connect_now, ... */
  public static final String OPERATOR_INTERVENTION_CLASS = "57P";

  /** Class 53, insufficient_resources: too many connections, out of memory, disk full. */
  public static final String INSUFFICIENT_RESOURCES_CLASS = "53";
}
