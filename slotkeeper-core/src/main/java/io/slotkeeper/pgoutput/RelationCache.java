package io.slotkeeper.pgoutput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The latest {@link Relation} received for each relation oid. Insert, Update, Delete and Truncate
 * only carry the oid, so the decoder resolves it here.
 *
 * <p>Looked up once per row change, so it is a small open-addressing table keyed by the primitive
 * oid: no boxing, no allocation on lookup. Not thread-safe; it belongs to one decoder.
 */
public final class RelationCache {

  private static final int INITIAL_CAPACITY = 16;

  // Parallel arrays; a slot is free when relations[slot] == null. Capacity is a power of two.
  private int[] oids = new int[INITIAL_CAPACITY];
  private Relation[] relations = new Relation[INITIAL_CAPACITY];
  private int size;

  /** The relation with {@code oid}, or null if none has been received. */
  public Relation get(int oid) {
    int mask = oids.length - 1;
    for (int slot = hash(oid) & mask; ; slot = (slot + 1) & mask) {
      Relation r = relations[slot];
      if (r == null || oids[slot] == oid) {
        return r;
      }
    }
  }

  public boolean contains(int oid) {
    return get(oid) != null;
  }

  /** Stores {@code relation}, replacing any earlier definition with the same oid. */
  public void put(Relation relation) {
    if ((size + 1) * 4 > oids.length * 3) {
      grow();
    }
    insert(relation);
  }

  private void insert(Relation relation) {
    int oid = relation.oid();
    int mask = oids.length - 1;
    for (int slot = hash(oid) & mask; ; slot = (slot + 1) & mask) {
      if (relations[slot] == null) {
        oids[slot] = oid;
        relations[slot] = relation;
        size++;
        return;
      }
      if (oids[slot] == oid) {
        relations[slot] = relation;
        return;
      }
    }
  }

  private void grow() {
    Relation[] old = relations;
    oids = new int[old.length * 2];
    relations = new Relation[old.length * 2];
    size = 0;
    for (Relation r : old) {
      if (r != null) {
        insert(r);
      }
    }
  }

  public int size() {
    return size;
  }

  public void clear() {
    Arrays.fill(relations, null);
    size = 0;
  }

  /** A snapshot of all cached relations, in no particular order. */
  public List<Relation> all() {
    List<Relation> result = new ArrayList<>(size);
    for (Relation r : relations) {
      if (r != null) {
        result.add(r);
      }
    }
    return List.copyOf(result);
  }

  private static int hash(int oid) {
    // OIDs are handed out sequentially; spread them so neighbours do not form long probe runs.
    int h = oid * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
