package io.slotkeeper.pgoutput;

/**
 * One column of a {@link Relation}. {@code key} is bit 1 of the column flags: the column is part of
 * the relation's replica identity, so its value is present in KEY old tuples.
 */
public record RelationColumn(String name, int typeOid, int typeModifier, boolean key) {

  public RelationColumn {
    Checks.nonNull(name, "name");
  }
}
