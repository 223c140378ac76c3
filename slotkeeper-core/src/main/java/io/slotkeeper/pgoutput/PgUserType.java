package io.slotkeeper.pgoutput;

/**
 * What the decoder must know from the catalog to read a binary value of a type outside {@link
 * PgTypeOids}: a Relation message gives only a column's type oid, and a Type message only the
 * type's name, while the send format depends on the type's kind. An enum sends its label; a domain
 * sends its base type's format; a range sends flags and its bounds in its subtype's format; a
 * multirange sends its ranges. The engine reads these facts at every connect ({@link
 * #catalogQuery}) over the replication connection, before streaming, and hands them to the decoder
 * in its {@link ValueFormat}; a type created after that arrives without codec (its bytes) until the
 * next connect.
 *
 * @param oid the type
 * @param kind what sort of type it is
 * @param baseOid a domain's base type, a range's subtype, a multirange's range type; 0 for an enum
 */
public record PgUserType(int oid, Kind kind, int baseOid) {

  public enum Kind {
    ENUM,
    DOMAIN,
    RANGE,
    MULTIRANGE
  }

  /**
   * The catalog query for every enum, domain, range and multirange type (multiranges exist from
   * PostgreSQL 14); its rows are {@code oid, typtype, base} as text, for {@link #of}.
   */
  public static String catalogQuery(int serverMajorVersion) {
    boolean multiranges = serverMajorVersion >= 14;
    return "SELECT t.oid::text, t.typtype::text, coalesce(r.rngsubtype, "
        + (multiranges ? "m.rngtypid, " : "")
        + "t.typbasetype)::text FROM pg_catalog.pg_type t"
        + " LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid"
        + (multiranges ? " LEFT JOIN pg_catalog.pg_range m ON m.rngmultitypid = t.oid" : "")
        + " WHERE t.typtype IN ('e', 'd', 'r'"
        + (multiranges ? ", 'm'" : "")
        + ")";
  }

  /** A row of {@link #catalogQuery}: oids as unsigned decimal text, typtype as its letter. */
  public static PgUserType of(String oid, String typtype, String base) {
    Kind kind =
        switch (typtype) {
          case "e" -> Kind.ENUM;
          case "d" -> Kind.DOMAIN;
          case "r" -> Kind.RANGE;
          case "m" -> Kind.MULTIRANGE;
          default -> throw new IllegalArgumentException("not an enum, domain or range: " + typtype);
        };
    return new PgUserType(
        Integer.parseUnsignedInt(oid),
        kind,
        kind == Kind.ENUM ? 0 : Integer.parseUnsignedInt(base));
  }
}
