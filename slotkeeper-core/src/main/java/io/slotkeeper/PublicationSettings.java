package io.slotkeeper;

import java.util.List;

/**
 * The publications a source streams, and whether it creates them ({@code publications} and the
 * {@code publication} block of reference.conf). Immutable; every {@code withXxx} returns a changed
 * copy.
 */
public final class PublicationSettings {
  private final List<String> names;
  private final boolean createIfMissing;
  private final List<String> tables;

  PublicationSettings(List<String> names, boolean createIfMissing, List<String> tables) {
    this.names = List.copyOf(names);
    this.createIfMissing = createIfMissing;
    this.tables = List.copyOf(tables);
  }

  /**
   * The publications to stream (pgoutput's publication_names); at least one ({@code publications}).
   */
  public List<String> names() {
    return names;
  }

  /** Create each listed publication when it does not exist. */
  public boolean createIfMissing() {
    return createIfMissing;
  }

  /** Tables of a created publication ("schema.table" or "table"); empty means FOR ALL TABLES. */
  public List<String> tables() {
    return tables;
  }

  public PublicationSettings withNames(List<String> v) {
    return new PublicationSettings(v, createIfMissing, tables);
  }

  public PublicationSettings withNames(String... v) {
    return withNames(List.of(v));
  }

  public PublicationSettings withCreateIfMissing(boolean v) {
    return new PublicationSettings(names, v, tables);
  }

  public PublicationSettings withTables(List<String> v) {
    return new PublicationSettings(names, createIfMissing, v);
  }

  @Override
  public String toString() {
    return "PublicationSettings(names="
        + names
        + ", createIfMissing="
        + createIfMissing
        + ", tables="
        + tables
        + ")";
  }
}
