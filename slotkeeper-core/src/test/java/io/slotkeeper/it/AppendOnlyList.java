package io.slotkeeper.it;

import java.util.AbstractList;
import java.util.Arrays;

/**
 * A list one thread appends to while others read it, without copying on every append (a
 * CopyOnWriteArrayList makes a consumer of 100k envelopes quadratic, which slows the very stream a
 * test measures). Readers see a prefix: an element is stored before the size that covers it is
 * published, and the array is replaced before that too.
 */
final class AppendOnlyList<E> extends AbstractList<E> {
  private volatile Object[] elements = new Object[1024];
  private volatile int size;

  @Override
  public synchronized boolean add(E e) {
    Object[] a = elements;
    if (size == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
      elements = a;
    }
    a[size] = e;
    size = size + 1;
    return true;
  }

  @Override
  @SuppressWarnings("unchecked")
  public E get(int index) {
    int n = size;
    if (index < 0 || index >= n) {
      throw new IndexOutOfBoundsException(index);
    }
    return (E) elements[index];
  }

  @Override
  public int size() {
    return size;
  }
}
