package io.slotkeeper.pgoutput;

/**
 * Oids of the built-in types whose binary send format {@link ColumnValue} decodes (the oids are
 * fixed in PostgreSQL's catalog, {@code pg_type.dat}, the same in every version). A {@link
 * RelationColumn#typeOid()} compares against these.
 */
public final class PgTypeOids {
  private PgTypeOids() {}

  public static final int BOOL = 16;
  public static final int BYTEA = 17;
  public static final int NAME = 19;
  public static final int INT8 = 20;
  public static final int INT2 = 21;
  public static final int INT4 = 23;
  public static final int TEXT = 25;
  public static final int OID = 26;
  public static final int JSON = 114;
  public static final int CIDR = 650;
  public static final int FLOAT4 = 700;
  public static final int FLOAT8 = 701;
  public static final int INET = 869;
  public static final int BPCHAR = 1042;
  public static final int VARCHAR = 1043;
  public static final int DATE = 1082;
  public static final int TIME = 1083;
  public static final int TIMESTAMP = 1114;
  public static final int TIMESTAMPTZ = 1184;
  public static final int INTERVAL = 1186;
  public static final int TIMETZ = 1266;
  public static final int NUMERIC = 1700;
  public static final int UUID = 2950;
  public static final int JSONB = 3802;

  public static final int JSON_ARRAY = 199;
  public static final int CIDR_ARRAY = 651;
  public static final int BOOL_ARRAY = 1000;
  public static final int BYTEA_ARRAY = 1001;
  public static final int NAME_ARRAY = 1003;
  public static final int INT2_ARRAY = 1005;
  public static final int INT4_ARRAY = 1007;
  public static final int TEXT_ARRAY = 1009;
  public static final int BPCHAR_ARRAY = 1014;
  public static final int VARCHAR_ARRAY = 1015;
  public static final int INT8_ARRAY = 1016;
  public static final int FLOAT4_ARRAY = 1021;
  public static final int FLOAT8_ARRAY = 1022;
  public static final int OID_ARRAY = 1028;
  public static final int INET_ARRAY = 1041;
  public static final int TIMESTAMP_ARRAY = 1115;
  public static final int DATE_ARRAY = 1182;
  public static final int TIME_ARRAY = 1183;
  public static final int TIMESTAMPTZ_ARRAY = 1185;
  public static final int INTERVAL_ARRAY = 1187;
  public static final int NUMERIC_ARRAY = 1231;
  public static final int TIMETZ_ARRAY = 1270;
  public static final int UUID_ARRAY = 2951;
  public static final int JSONB_ARRAY = 3807;

  /** True for the scalar types above. */
  public static boolean isScalarWithCodec(int oid) {
    switch (oid) {
      case BOOL,
      BYTEA,
      NAME,
      INT8,
      INT2,
      INT4,
      TEXT,
      OID,
      JSON,
      CIDR,
      FLOAT4,
      FLOAT8,
      INET,
      BPCHAR,
      VARCHAR,
      DATE,
      TIME,
      TIMESTAMP,
      TIMESTAMPTZ,
      INTERVAL,
      TIMETZ,
      NUMERIC,
      UUID,
      JSONB:
        return true;
      default:
        return false;
    }
  }

  /** True for the array types above (arrays of the scalar types with a codec). */
  public static boolean isArrayWithCodec(int oid) {
    switch (oid) {
      case JSON_ARRAY,
      CIDR_ARRAY,
      BOOL_ARRAY,
      BYTEA_ARRAY,
      NAME_ARRAY,
      INT2_ARRAY,
      INT4_ARRAY,
      TEXT_ARRAY,
      BPCHAR_ARRAY,
      VARCHAR_ARRAY,
      INT8_ARRAY,
      FLOAT4_ARRAY,
      FLOAT8_ARRAY,
      OID_ARRAY,
      INET_ARRAY,
      TIMESTAMP_ARRAY,
      DATE_ARRAY,
      TIME_ARRAY,
      TIMESTAMPTZ_ARRAY,
      INTERVAL_ARRAY,
      NUMERIC_ARRAY,
      TIMETZ_ARRAY,
      UUID_ARRAY,
      JSONB_ARRAY:
        return true;
      default:
        return false;
    }
  }
}
